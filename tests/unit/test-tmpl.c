/*
 * The template renderer: escaping by context (text, attribute, URL),
 * sections, partials, and templates refused at compile time where no
 * escape is safe.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <jansson.h>

#include "core.h"
#include "tmpl.h"

#define EVIL	"<script>alert(\"x\")</script>' onmouseover='y' & \"q\""

/* Render text with ctx (JSON text); returns a new string or NULL. */
static char *
render(const char *text, const char *ctxjson)
{
	struct tmpl_set	*set;
	json_t		*ctx;
	char		*out = NULL, err[256];
	size_t		 len;

	set = tmpl_set_new();
	assert_non_null(set);
	ctx = json_loads(ctxjson, 0, NULL);
	assert_non_null(ctx);
	if (tmpl_set_add(set, "t", text, err, sizeof(err)) == CORE_OK)
		assert_int_equal(tmpl_render(set, "t", ctx, &out, &len),
		    CORE_OK);
	json_decref(ctx);
	tmpl_set_free(set);
	return out;
}

static json_t *
evil_ctx(void)
{
	return json_pack("{s:s}", "v", EVIL);
}

static char *
render_evil(const char *text)
{
	json_t	*c = evil_ctx();
	char	*s, *out;

	s = json_dumps(c, 0);
	json_decref(c);
	out = render(text, s);
	free(s);
	return out;
}

static void
text_is_entity_escaped(void **state)
{
	char	*o;

	(void)state;
	o = render_evil("<p>{{v}}</p>");
	assert_non_null(o);
	assert_string_equal(o, "<p>&lt;script&gt;alert(&quot;x&quot;)"
	    "&lt;/script&gt;&#39; onmouseover=&#39;y&#39; &amp; "
	    "&quot;q&quot;</p>");
	free(o);
}

static void
attributes_cannot_be_broken_out_of(void **state)
{
	char	*o;

	(void)state;
	o = render_evil("<input value=\"{{v}}\"><i title='{{v}}'>");
	assert_non_null(o);
	assert_null(strstr(o, "\"y"));
	assert_null(strstr(o, "'y"));
	assert_null(strstr(o, "<script"));
	assert_non_null(strstr(o, "value=\"&lt;script&gt;"));
	free(o);
}

static void
url_attributes_are_percent_encoded(void **state)
{
	char	*o;

	(void)state;
	o = render("<a href=\"/admin/orders?q={{q}}&amp;s={{s}}\">{{q}}</a>",
	    "{\"q\":\"a b&c=d/\\\"<\",\"s\":\"javascript:alert(1)\"}");
	assert_non_null(o);
	assert_string_equal(o, "<a href=\"/admin/orders?q=a%20b%26c%3Dd%2F"
	    "%22%3C&amp;s=javascript%3Aalert%281%29\">a b&amp;c=d/&quot;"
	    "&lt;</a>");
	free(o);
	/* A whole href from data cannot carry a scheme. */
	o = render("<a href=\"{{u}}\">x</a>", "{\"u\":\"javascript:x()\"}");
	assert_non_null(o);
	assert_string_equal(o, "<a href=\"javascript%3Ax%28%29\">x</a>");
	free(o);
}

static void
unsafe_places_do_not_compile(void **state)
{
	static const char *const bad[] = {
		"<input value={{v}}>",		/* unquoted attribute */
		"<input {{v}}>",		/* attribute list */
		"<{{v}}>",			/* tag name */
		"<a onclick=\"{{v}}\">",	/* event handler */
		"<p style=\"{{v}}\">",		/* CSS */
		"<script>var x = \"{{v}}\";</script>",
		"<style>p { color: {{v}} }</style>",
		"<!-- {{v}} -->",
		"{{#a}}x",			/* unclosed section */
		"{{/a}}",			/* close without open */
		"{{#a}}{{/b}}",
		"{{v",
		"{{bad name}}",
	};
	struct tmpl_set	*set;
	char		 err[256], name[8];
	size_t		 i;

	(void)state;
	set = tmpl_set_new();
	assert_non_null(set);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(name, sizeof(name), "b%zu", i);
		err[0] = '\0';
		if (tmpl_set_add(set, name, bad[i], err, sizeof(err)) !=
		    CORE_EINPUT)
			fail_msg("compiled: %s", bad[i]);
		assert_non_null(strstr(err, name));
	}
	/* After </script> the text context is back. */
	assert_int_equal(tmpl_set_add(set, "ok", "<script src=\"/x.js\">"
	    "</script><p>{{v}}</p>", err, sizeof(err)), CORE_OK);
	tmpl_set_free(set);
}

static void
sections_loops_and_partials(void **state)
{
	struct tmpl_set	*set;
	json_t		*ctx;
	char		*out, err[256];
	size_t		 len;

	(void)state;
	set = tmpl_set_new();
	assert_non_null(set);
	assert_int_equal(tmpl_set_add(set, "row", "<li>{{name}}:{{n}}"
	    "{{#hot}}!{{/hot}}</li>", err, sizeof(err)), CORE_OK);
	assert_int_equal(tmpl_set_add(set, "page", "<h1>{{title}}</h1>"
	    "<ul>{{#rows}}{{>row}}{{/rows}}</ul>{{^rows}}none{{/rows}}"
	    "{{#user}}{{user.name}}/{{name}}{{/user}}{{&trusted}}",
	    err, sizeof(err)), CORE_OK);
	ctx = json_pack("{s:s, s:[{s:s, s:i, s:b}, {s:s, s:i}], "
	    "s:{s:s}, s:s}", "title", "T<", "rows", "name", "a", "n", 1,
	    "hot", 1, "name", "b'", "n", 0, "user", "name", "u\"",
	    "trusted", "<b>ours</b>");
	assert_non_null(ctx);
	assert_int_equal(tmpl_render(set, "page", ctx, &out, &len), CORE_OK);
	assert_string_equal(out, "<h1>T&lt;</h1><ul><li>a:1!</li>"
	    "<li>b&#39;:0</li></ul>u&quot;/u&quot;<b>ours</b>");
	assert_int_equal(len, strlen(out));
	free(out);
	json_object_set_new(ctx, "rows", json_array());
	assert_int_equal(tmpl_render(set, "page", ctx, &out, &len), CORE_OK);
	assert_non_null(strstr(out, "<ul></ul>none"));
	free(out);
	assert_int_equal(tmpl_render(set, "nosuch", ctx, &out, &len),
	    CORE_ENOTFOUND);
	json_decref(ctx);
	tmpl_set_free(set);
}

static void
escapers(void **state)
{
	char	 out[64];

	(void)state;
	assert_int_equal(tmpl_esc_html(out, sizeof(out), "a<&>\"'b"), 0);
	assert_string_equal(out, "a&lt;&amp;&gt;&quot;&#39;b");
	assert_int_equal(tmpl_esc_url(out, sizeof(out), "é ~x"), 0);
	assert_string_equal(out, "%C3%A9%20~x");
	assert_int_equal(tmpl_esc_html(out, 4, "<<<<"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_entity_escaped),
		cmocka_unit_test(attributes_cannot_be_broken_out_of),
		cmocka_unit_test(url_attributes_are_percent_encoded),
		cmocka_unit_test(unsafe_places_do_not_compile),
		cmocka_unit_test(sections_loops_and_partials),
		cmocka_unit_test(escapers),
	};

	return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
