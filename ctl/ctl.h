/*
 * ml-connector-ctl subcommands that live in their own files.
 */
#ifndef ML_CTL_H
#define ML_CTL_H

/* webhooks.c: subscribe | list | remove ID|--all. Exit status. */
int	 ctl_webhooks(const struct cfg *, struct db *, int, char **);

/* cursors.c: list | reset NAME [POSITION]. Exit status. */
int	 ctl_cursors(struct db *, int, char **);

#endif /* !ML_CTL_H */
