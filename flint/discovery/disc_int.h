/* SPDX-License-Identifier: Apache-2.0 */
/* disc_int.h: helpers shared by the files of flint/discovery (groups.c, file.c,
 * manager.c) and nobody else. Internal names end in '_'. */
#ifndef FLINT_DISCOVERY_DISC_INT_H
#define FLINT_DISCOVERY_DISC_INT_H

#include "flint/discovery/discovery.h"

/* disc_group_cleanup_: free what g owns (not g). */
void disc_group_cleanup_(struct disc_group *g);
/* disc_group_copy_: deep copy into dst (uninitialised). 0 or LM_ENOMEM (dst empty). */
int disc_group_copy_(struct disc_group *dst, const struct disc_group *src);
bool disc_group_eq_(const struct disc_group *a, const struct disc_group *b);
bool disc_groups_eq_(const struct disc_group *a, size_t na, const struct disc_group *b,
                     size_t nb);
/* disc_group_add_target_: append a target {__address__=addr}. 0 or LM_ENOMEM. */
int disc_group_add_target_(struct disc_group *g, const char *addr);

#endif
