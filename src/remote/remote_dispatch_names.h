/* Names of REMOTE_PROGRAM procedures by number, for messages (generated from remote_protocol.x). */
#pragma once

/* "DOMAIN_ATTACH_DEVICE" at index 8; NULL where libvirt defines no procedure. */
extern const char *const remoteDispatchProcNames[];
extern const int remoteDispatchProcNamesCount;
