/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option to name when getopt_long() refuses one ('?': unknown or given a
 * value it takes none of; ':': its value missing), for the one usage line of
 * uffdwp-vmtest and uffdwp-fuzz, whose option strings start with ':' and which
 * set opterr to 0 so that getopt itself prints nothing.  Header only: the two
 * are separate programs (uffdwp-fuzz is a static guest program).
 */
#ifndef UFFDWP_GETOPT_REFUSED_H
#define UFFDWP_GETOPT_REFUSED_H
#include <getopt.h>
#include <string.h>

/*
 * A short option is named by its letter, optopt: getopt moves optind past a
 * group of letters only at its last, so argv[optind - 1] may be another word.
 * A long one by argv[optind - 1], the word getopt just passed: its optopt is
 * 0 when unknown, else the option's value, which is a letter of @letters
 * (the short options) for --help=x or above 127 for the others.  @buf holds
 * "-x".
 */
static inline const char *getopt_refused_word(char *const *argv, const char *letters, char buf[3])
{
	if (optopt > 0 && optopt < 128 && !strchr(letters, optopt)) {
		buf[0] = '-';
		buf[1] = (char)optopt;
		buf[2] = '\0';
		return buf;
	}
	return argv[optind - 1];
}

#endif
