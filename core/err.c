#include "config.h"

#include "core.h"

static const char *const errs[CORE__MAX] = {
	"success",				/* CORE_OK */
	"out of memory",			/* CORE_ENOMEM */
	"invalid input",			/* CORE_EINPUT */
	"invalid configuration",		/* CORE_ECONFIG */
	"database error",			/* CORE_EDB */
	"database unavailable",			/* CORE_EDBDOWN */
	"not found",				/* CORE_ENOTFOUND */
	"input/output error",			/* CORE_EIO */
	"resource busy",			/* CORE_EBUSY */
};

const char *
core_strerror(enum core_err e)
{
	if ((unsigned int)e >= CORE__MAX)
		return "unknown error";
	return errs[e];
}
