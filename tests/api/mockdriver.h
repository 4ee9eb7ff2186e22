/* A minimal in-process driver for the API tests: "mock:///" and "mockempty:///". */
#pragma once

#include "api/domain_event.h"
#include "api/driver.h"

/*
 * mock:///      implements every driver entry with canned answers: one
 *               domain "mock" (id 1, uuid MOCK_UUID), events through a
 *               DomainEventState; failing entries report VIR_ERR_NO_DOMAIN.
 * mockempty:/// implements only connectOpen/connectClose, so every other
 *               public function must answer VIR_ERR_NO_SUPPORT.
 * mockdecline:/// declines; mockfail:/// fails with an error.
 */
#define MOCK_UUID_STR "c7a5fdbd-edaf-9455-926a-d65c16db1809"

void mockDriverRegister(void);
DomainEventState *mockDriverEvents(void);
const unsigned char *mockDriverUUID(void);
unsigned int mockDriverLastFlags(void);
int mockDriverCloses(void);
