/* driver-sw.js: the driver page's service worker (served at /driver-sw.js, scope /driver).
 * It keeps the page and its scripts so that a reload at the dock with no signal opens the
 * page instead of the browser's offline page; the scans and photos made then wait in the
 * page's own queues.  Only these files: the API is never cached (a stale answer would say a
 * batch is on the truck when it is not).  Each is answered from the cache when the network
 * fails or is slower than NETWORK_MS, and refreshed from the network otherwise, so a page
 * that is online gets the station's current version. */
'use strict';
var CACHE = 'pt-driver-v1';
var FILES = ['/driver', '/static/style.css', '/static/driver.css', '/static/ui-kit.js',
  '/static/driver.js', '/static/jsQR.js', '/static/zxing.js'];
var NETWORK_MS = 4000;

self.addEventListener('install', function (ev) {
  ev.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (ev) {
  var url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== self.location.origin ||
      FILES.indexOf(url.pathname) < 0) return;
  ev.respondWith(caches.open(CACHE).then(function (cache) {
    var cached = cache.match(url.pathname);
    var network = fetch(ev.request).then(function (r) {
      if (r.ok) cache.put(url.pathname, r.clone());
      return r;
    });
    /* Whichever comes first that works: the network within NETWORK_MS, else the copy. */
    var late = new Promise(function (resolve) { setTimeout(resolve, NETWORK_MS); })
      .then(function () { return cached; });
    return Promise.race([network.catch(function () { return cached; }), late])
      .then(function (r) { return r || network; });
  }));
});
