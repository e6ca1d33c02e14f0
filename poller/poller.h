/*
 * ml-poller internals.
 */
#ifndef ML_POLLER_H
#define ML_POLLER_H

/* runner.c: run one claimed job and record its outcome. */
void	 runner_run(struct db *, const struct job *, const char *owner);

#endif /* !ML_POLLER_H */
