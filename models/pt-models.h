/* pt-models.h: the public headers of the models/ library in one include. */
#pragma once

#include "pt-models-limits.h"
#include "pt-image.h"
#include "pt-image-io.h"
#include "pt-profile.h"
#include "pt-grader.h"
#include "pt-calib.h"
#include "pt-annotate.h"
#include "pt-fruit-track.h"
