// SPDX-License-Identifier: MIT
// Includes cmocka with the headers it needs first.
#ifndef CW_CMOCKA_ALL_H
#define CW_CMOCKA_ALL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
