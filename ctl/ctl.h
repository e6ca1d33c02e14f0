/*
 * ml-connector-ctl subcommands that live in their own files.
 */
#ifndef ML_CTL_H
#define ML_CTL_H

/* webhooks.c: subscribe | list | remove ID|--all. Exit status. */
int	 ctl_webhooks(const struct cfg *, struct db *, int, char **);
/* user.c: add | passwd | disable | enable | list. Exit status. */
int	 ctl_user(const struct cfg *, struct db *, int, char **);

/* status.c: status [--json], the operational picture. Exit status. */
int	 ctl_status(const struct cfg *, struct db *, int, char **);
/* replay.c: replay JOB_ID | --order REF | --class CLASS [--preview]. */
int	 ctl_replay(const struct cfg *, struct db *, int, char **);
/* reconcile.c: [--from D --to D] [--repair] [--json] | --last. */
int	 ctl_reconcile(const struct cfg *, struct db *, int, char **);

/* cursors.c: list | reset NAME [POSITION]. Exit status. */
int	 ctl_cursors(struct db *, int, char **);

#endif /* !ML_CTL_H */
