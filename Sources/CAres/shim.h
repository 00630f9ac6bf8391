// c-ares (Debian: libc-ares-dev) sends the DNS queries; glibc's libresolv (ns_initparse,
// ns_parserr, dn_expand) walks the answer records with their TTLs.
#include <ares.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <poll.h>
