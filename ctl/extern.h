/*
 * ml-connector-ctl subcommands that live in their own files.
 */
#ifndef ML_CTL_EXTERN_H
#define ML_CTL_EXTERN_H

/* ping.c */
/* Check config, database, ShipStation and X3; 0 when all is well. */
int	 cmd_ping(const struct cfg *, struct db *);

#endif /* !ML_CTL_EXTERN_H */
