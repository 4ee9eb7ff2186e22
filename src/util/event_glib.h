/* The default event loop: handles and timers as GSources on GLib's default main context. */
#pragma once

#include "util/event.h"

void eventGlibRegister(void);
int eventGlibRunOnce(void);
