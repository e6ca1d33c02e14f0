/*
 * The memory floor for bench/webhook.sh: the least a webhook worker can
 * be resident with the libraries it must use. Like our supervisor, the
 * parent initialises libcurl (and through it OpenSSL) and the MariaDB
 * client, then forks; the child does one of each thing a worker does
 * per webhook -- a SHA-256, a MariaDB round trip, an HTTP GET with
 * libcurl -- and prints its VmRSS in kB. Nothing else.
 * Usage: rss-floor MARIADB_SOCKET USER PASSWORD URL
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mysql.h>
#include <openssl/evp.h>

static size_t
discard(void *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

static long
vmrss_kb(void)
{
	char	 line[256];
	long	 kb = -1;
	FILE	*f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	(void)fclose(f);
	return kb;
}

/* Copy /proc/self/smaps to stderr, for bench/rss-probe.sh. */
static void
dump_smaps(void)
{
	char	 buf[4096];
	size_t	 n;
	FILE	*f;

	if ((f = fopen("/proc/self/smaps", "r")) == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		(void)fwrite(buf, 1, n, stderr);
	(void)fclose(f);
}

static EVP_MD	*sha256;	/* fetched before the fork, as core/hash.c does */

static int
child(char **argv)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	MYSQL		*m;
	CURL		*c;

	if (EVP_Digest("x", 1, md, &mdlen, sha256, NULL) != 1) {
		fprintf(stderr, "rss-floor: EVP_Digest failed\n");
		return 1;
	}
	if ((m = mysql_init(NULL)) == NULL ||
	    mysql_real_connect(m, NULL, argv[2], argv[3], NULL, 0, argv[1],
	    0) == NULL || mysql_query(m, "SELECT 1") != 0) {
		fprintf(stderr, "rss-floor: mariadb: %s\n",
		    m != NULL ? mysql_error(m) : "out of memory");
		return 1;
	}
	mysql_free_result(mysql_store_result(m));
	if ((c = curl_easy_init()) == NULL ||
	    curl_easy_setopt(c, CURLOPT_URL, argv[4]) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK ||
	    curl_easy_perform(c) != CURLE_OK) {
		fprintf(stderr, "rss-floor: GET %s failed\n", argv[4]);
		return 1;
	}
	printf("%ld\n", vmrss_kb());
	if (getenv("RSS_FLOOR_SMAPS") != NULL)
		dump_smaps();
	/* The caller _exit()s: stdio buffers are not flushed for us. */
	if (fflush(stdout) != 0)
		return 1;
	curl_easy_cleanup(c);
	mysql_close(m);
	return 0;
}

int
main(int argc, char **argv)
{
	pid_t	 pid;
	int	 st;

	if (argc != 5)
		return 2;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    mysql_library_init(0, NULL, NULL) != 0 ||
	    (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return 1;
	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0)
		_exit(child(argv));
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}
