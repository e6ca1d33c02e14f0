/*
 * The FastCGI ceiling for bench/webhook.sh: a minimal libfcgi responder
 * that reads the whole body and answers 202, nothing else.
 */
#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request	 r;
	char		 buf[16384];

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			continue;
		FCGX_PutS("Status: 202 Accepted\r\nContent-Type: "
		    "application/json\r\n\r\n{\"status\":\"accepted\"}", r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
