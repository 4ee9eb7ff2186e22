/* The test driver's fixed screenshot image (virDomainScreenshot on test:///). */
#pragma once

#include <stddef.h>

extern const unsigned char testScreenshotPNG[];
extern const size_t testScreenshotPNGSize;
