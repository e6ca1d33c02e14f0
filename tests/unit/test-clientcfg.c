/*
 * The shipstation { } and x3 { } configuration groups with real secret
 * files (mode 0600, written here: git cannot store that mode) and
 * secrets from the environment; the error cases are fixtures in
 * tests/data/cfg/clients-*.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "core.h"

static char	 dir[] = "/tmp/test-clientcfg.XXXXXX";

static void
write_file(const char *name, const char *text, mode_t mode)
{
	char	 path[256];
	int	 fd;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static struct cfg *
load(const char *text)
{
	char		 path[256];
	struct cfg	*c = NULL;

	write_file("conf", text, 0644);
	(void)snprintf(path, sizeof(path), "%s/conf", dir);
	assert_int_equal(cfg_load(path, &c), CORE_OK);
	return c;
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	write_file("ss.key", "key1\n", 0600);
	write_file("ss.secret", "secret1\n", 0600);
	write_file("x3.secret", "x3secret\n", 0600);
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[300];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
v1_and_jwt_defaults(void **state)
{
	char		 text[2048];
	struct cfg	*c;

	(void)state;
	(void)snprintf(text, sizeof(text),
	    "database: { name = \"ml\"; user = \"ml\"; };\n"
	    "shipstation: { key_file = \"%s/ss.key\";\n"
	    "  secret_file = \"%s/ss.secret\"; };\n"
	    "x3: { base_url = \"https://x3.example.com:8124/\";\n"
	    "  endpoint = \"SEED\"; client_id = \"c0ffee\";\n"
	    "  secret_file = \"%s/x3.secret\"; user = \"ADMIN\"; };\n",
	    dir, dir, dir);
	c = load(text);
	assert_true(c->ss.enabled);
	assert_false(c->ss.v2);
	assert_string_equal(c->ss.base_url, "https://ssapi.shipstation.com");
	assert_string_equal(c->ss.key, "key1");
	assert_string_equal(c->ss.secret, "secret1");
	assert_int_equal(c->ss.rate_limit, ML_SS_V1_LIMIT);
	assert_int_equal(c->ss.page_size, ML_SS_PAGE_MAX);
	assert_int_equal(c->ss.retries, ML_HTTP_RETRIES);
	assert_false(c->ss.allow_http);
	assert_true(c->x3.enabled);
	assert_int_equal(c->x3.auth_kind, CFG_X3_JWT);
	assert_string_equal(c->x3.base_url, "https://x3.example.com:8124");
	assert_string_equal(c->x3.graphql_path, "/xtrem/api");
	assert_string_equal(c->x3.sales_package, "x3Sales");
	assert_string_equal(c->x3.master_package, "x3MasterData");
	assert_string_equal(c->x3.secret, "x3secret");
	assert_string_equal(c->x3.audience, "");
	assert_int_equal(c->x3.token_validity, ML_X3_TOKEN_VALIDITY);
	assert_int_equal(c->x3.renew_margin, ML_X3_RENEW_MARGIN);
	assert_int_equal(c->x3.iat_skew, ML_X3_IAT_SKEW);
	cfg_free(c);
}

static void
v2_sandbox_and_env(void **state)
{
	struct cfg	*c;

	(void)state;
	setenv(ML_ENV_SS_V2_KEY, "v2-from-env", 1);
	setenv(ML_ENV_X3_PASSWORD, "pw-from-env", 1);
	c = load("database: { name = \"ml\"; user = \"ml\"; };\n"
	    "shipstation: { api = \"v2\"; base_url = \"http://127.0.0.1:9\";\n"
	    "  allow_http = true; rate_limit = 20; retries = 0; };\n"
	    "x3: { base_url = \"http://127.0.0.1:9\"; allow_http = true;\n"
	    "  endpoint = \"X3U9REF_SEED\"; auth = \"basic\";\n"
	    "  basic_user = \"admin\"; sales_package = \"xtremX3Sales\";\n"
	    "  renew_margin = 0; };\n");
	unsetenv(ML_ENV_SS_V2_KEY);
	unsetenv(ML_ENV_X3_PASSWORD);
	assert_true(c->ss.v2);
	assert_string_equal(c->ss.v2_key, "v2-from-env");
	assert_string_equal(c->ss.base_url, "http://127.0.0.1:9");
	assert_int_equal(c->ss.rate_limit, 20);
	assert_int_equal(c->ss.retries, 0);
	assert_int_equal(c->ss.page_size, 100);
	assert_int_equal(c->x3.auth_kind, CFG_X3_BASIC);
	assert_string_equal(c->x3.basic_password, "pw-from-env");
	assert_string_equal(c->x3.sales_package, "xtremX3Sales");
	assert_int_equal(c->x3.renew_margin, 0);
	cfg_free(c);
}

static void
absent_groups_stay_off(void **state)
{
	struct cfg	*c;

	(void)state;
	c = load("database: { name = \"ml\"; user = \"ml\"; };\n");
	assert_false(c->ss.enabled);
	assert_false(c->x3.enabled);
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v1_and_jwt_defaults),
		cmocka_unit_test(v2_sandbox_and_env),
		cmocka_unit_test(absent_groups_stay_off),
	};

	return cmocka_run_group_tests_name("clientcfg", tests, setup,
	    teardown);
}
