/* mallocscope's <sys/types.h> */
#pragma once
#include <_types.h>
