#!/usr/bin/env bash
# The MailCanary lab: real Dovecot (IMAP, POP3, LMTP), Postfix (submission 587-style with STARTTLS,
# 465-style implicit TLS, SASL through Dovecot) and nginx (HTTPS) on loopback, with throw-away
# certificates. Used by the tests, the benchmark and a newcomer's first `mailcanary check`.
#
#   scripts/lab.sh up            install what is missing, (re)create and start everything
#   scripts/lab.sh down          stop everything
#   scripts/lab.sh stop-dovecot  stop only Dovecot (the tests' "server stops" fault)
#   scripts/lab.sh start-dovecot
#   scripts/lab.sh status
#
# State lives in $MAILCANARY_LAB_DIR (default: .lab/ at the repository root); `.lab/lab.env`
# lists ports, the CA file, the user and the password file for tools and tests.
# Must run as root (it starts the daemons, which drop privileges to dovenull/dovecot/postfix/vmail).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB=${MAILCANARY_LAB_DIR:-$ROOT/.lab}
LOGDIR=/var/log/mailcanary-lab      # Postfix's maillog_file must be under an allowed prefix (/var)
HOST=127.0.0.1
IMAP_PORT=14143; IMAPS_PORT=14993; POP3_PORT=14110; POP3S_PORT=14995
SUBMISSION_PORT=14587; SMTPS_PORT=14465; SMTP_PORT=14025
HTTP_PORT=14080; HTTPS_PORT=14443
# Dovecot checks XOAUTH2 tokens by asking this URL (introspection_mode = auth); the tests serve it.
INTROSPECTION_PORT=14900
DNS_PORT=14053; SILENT_DNS_PORT=14054
EXCHANGE_PORT=14444; EXCHANGE_HTTP_PORT=14480
POSTGRES_PORT=14432
# PostgreSQL runs as the postgres user, which cannot enter a checkout under /root: its files live here.
PGLAB=/var/lib/mailcanary-lab
LAB_USER=alice@lab.test

log() { printf 'lab: %s\n' "$*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || { log "run as root (it starts Dovecot and Postfix)"; exit 2; }; }

install_packages() {
  local missing=()
  command -v dovecot >/dev/null || missing+=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd)
  [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
  [ -x /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
  [ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
  command -v postfix >/dev/null || missing+=(postfix)
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v pkill >/dev/null || missing+=(procps)
  command -v dnsmasq >/dev/null || missing+=(dnsmasq-base)
  # c-ares, the probes' DNS library, and SQLite (GRDB), for the build.
  [ -f /usr/include/ares.h ] || missing+=(libc-ares-dev)
  [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # Headless Chromium for the page tests (screenshots, CSP), wrk for the page benchmark.
  command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
  command -v wrk >/dev/null || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ -z "${MAILCANARY_APT_UPDATED:-}" ]; then apt-get update -qq; export MAILCANARY_APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

make_certificates() {
  local dir=$LAB/certs
  mkdir -p "$dir"
  [ -s "$dir/server.pem" ] && [ -s "$dir/ca.pem" ] && return 0
  log "making certificates"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=MailCanary Lab CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=mail.lab.test" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:mail.lab.test,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 825 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  chmod 644 "$dir"/*.pem; chmod 640 "$dir"/*.key; chgrp dovecot "$dir/server.key" || true
}

make_users() {
  id vmail >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin vmail
  mkdir -p "$LAB/secrets" "$LAB/mail"
  chmod 700 "$LAB/secrets"
  if [ ! -s "$LAB/secrets/alice.password" ]; then
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$LAB/secrets/alice.password"
  fi
  local password; password=$(cat "$LAB/secrets/alice.password")
  printf '%s:{PLAIN}%s\n' "$LAB_USER" "$password" > "$LAB/dovecot-users"
  chown root:dovecot "$LAB/dovecot-users"; chmod 640 "$LAB/dovecot-users"
  # Two messages in alice's INBOX, so that SELECT and STAT have something to count.
  local inbox=$LAB/mail/$LAB_USER/Maildir
  if [ ! -d "$inbox/cur" ]; then
    mkdir -p "$inbox"/{cur,new,tmp}
    for n in 1 2; do
      printf 'From: bob@lab.test\r\nTo: %s\r\nSubject: lab message %s\r\n\r\nHello %s.\r\n' "$LAB_USER" "$n" "$n" \
        > "$inbox/cur/100000000$n.M1P1.lab:2,S"
    done
  fi
  chown -R vmail:vmail "$LAB/mail"
}

write_dovecot_config() {
  mkdir -p "$LAB/dovecot/run" "$LAB/dovecot/state" "$LOGDIR"
  cat > "$LAB/dovecot/dovecot.conf" <<EOF
# MailCanary lab Dovecot: loopback only, throw-away certificate, one passwd-file user.
base_dir = $LAB/dovecot/run
state_dir = $LAB/dovecot/state
instance_name = mailcanary-lab
protocols = imap pop3 lmtp
listen = 127.0.0.1, 127.0.0.2
log_path = $LOGDIR/dovecot.log
ssl = yes
ssl_cert = <$LAB/certs/server.pem
ssl_key = <$LAB/certs/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:$LAB/mail/%u/Maildir
first_valid_uid = 100
auth_failure_delay = 0
# Note: after failed logins Dovecot's anvil delays the next ones from the same IP (2, 4, 8, up to
# 15 s): the "auth penalty". Probes of an account that other tests fail against need a deadline
# above 15 s; the lab tests use 20 s.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $LAB/dovecot/oauth2.conf.ext
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $LAB/dovecot-users
}
userdb {
  driver = static
  # allow_all_users: LMTP's user lookup has no SASL mechanism, so the mechanism-filtered passdbs
  # above cannot confirm the user; Postfix's vmailbox map already limits recipients.
  args = uid=vmail gid=vmail home=$LAB/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener $LAB/postfix/queue/private/dovecot-lmtp {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener $LAB/postfix/queue/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
protocol lmtp {
  postmaster_address = postmaster@lab.test
}
EOF
}

write_dovecot_oauth2_config() {
  cat > "$LAB/dovecot/oauth2.conf.ext" <<EOF
# Tokens are checked by calling this URL with "Authorization: Bearer <token>" (the tests serve it);
# the answer's "email" must be the user name that XOAUTH2 carried, and "active" true (RFC 7662).
introspection_mode = auth
introspection_url = http://127.0.0.1:$INTROSPECTION_PORT/userinfo
username_attribute = email
active_attribute = active
active_value = true
force_introspection = yes
EOF
}

write_postfix_config() {
  local etc=$LAB/postfix/etc
  mkdir -p "$etc" "$LAB/postfix/queue/private" "$LAB/postfix/data"
  chown postfix "$LAB/postfix/data"
  cat > "$etc/main.cf" <<EOF
# MailCanary lab Postfix: loopback only; submission with SASL through Dovecot; delivery over LMTP.
compatibility_level = 3.6
myhostname = mail.lab.test
mydomain = lab.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
queue_directory = $LAB/postfix/queue
data_directory = $LAB/postfix/data
maillog_file = $LOGDIR/postfix.log
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = lab.test
virtual_mailbox_maps = texthash:$etc/vmailbox
virtual_transport = lmtp:unix:private/dovecot-lmtp
smtpd_banner = \$myhostname ESMTP MailCanary lab
smtpd_tls_cert_file = $LAB/certs/server.pem
smtpd_tls_key_file = $LAB/certs/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtp_tls_security_level = none
alias_maps =
alias_database =
biff = no
EOF
  printf '%s OK\n' "$LAB_USER" > "$etc/vmailbox"
  cat > "$etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$HOST:$SMTP_PORT inet n - n - - smtpd
$HOST:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
$HOST:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  # Postfix accepts -c DIR only for directories the default main.cf lists.
  local current; current=$(postconf -h alternate_config_directories 2>/dev/null || true)
  case " $current " in
    *" $etc "*) ;;
    *) postconf -e "alternate_config_directories = ${current:+$current }$etc" ;;
  esac
  postfix -c "$etc" set-permissions >/dev/null 2>&1 || true
  postfix -c "$etc" check
}

write_nginx_config() {
  mkdir -p "$LAB/nginx/www" "$LAB/nginx/tmp"
  printf '<!doctype html><title>MailCanary lab</title><p>ok</p>\n' > "$LAB/nginx/www/index.html"
  cat > "$LAB/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $LAB/nginx/nginx.pid;
error_log $LOGDIR/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $LAB/nginx/tmp;
  proxy_temp_path $LAB/nginx/tmp;
  fastcgi_temp_path $LAB/nginx/tmp;
  uwsgi_temp_path $LAB/nginx/tmp;
  scgi_temp_path $LAB/nginx/tmp;
  ssl_session_cache off;
  ssl_session_tickets off;
  server {
    listen $HOST:$HTTP_PORT;
    listen $HOST:$HTTPS_PORT ssl;
    ssl_certificate $LAB/certs/server.pem;
    ssl_certificate_key $LAB/certs/server.key;
    root $LAB/nginx/www;
    location = /loop { return 302 /loop2; }
    location = /loop2 { return 302 /loop; }
    location = /moved { return 301 /index.html; }
    location = /fail { return 503; }
    location = /secret { return 401; }
  }
}
EOF
}

# Daemons get no inherited stdio: a pipe they held open would keep the caller (CI, a test) waiting.
dovecot_running() { local pid; pid=$(cat "$LAB/dovecot/run/master.pid" 2>/dev/null) && grep -qa dovecot "/proc/$pid/cmdline" 2>/dev/null; }
start_dovecot() { dovecot_running && return 0; rm -f "$LAB/dovecot/run/master.pid"; dovecot -c "$LAB/dovecot/dovecot.conf" </dev/null >>"$LOGDIR/dovecot-start.log" 2>&1 || { tail -5 "$LOGDIR/dovecot-start.log" >&2; return 1; }; }
stop_dovecot() {
  local pidfile=$LAB/dovecot/run/master.pid pid=""
  [ -f "$pidfile" ] && pid=$(cat "$pidfile")
  if [ -f "$LAB/dovecot/dovecot.conf" ]; then dovecot -c "$LAB/dovecot/dovecot.conf" stop 2>/dev/null || true; fi
  if [ -n "$pid" ] && grep -qa dovecot "/proc/$pid/cmdline" 2>/dev/null; then
    # instance_name renames the processes, so wait on the master's pid, not on a name.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # A stale pid file whose number was reused by another process would block the next start.
  rm -f "$pidfile"
}
start_postfix() { postfix -c "$LAB/postfix/etc" start </dev/null >/dev/null 2>&1 || { tail -20 "$LOGDIR/postfix.log" >&2; return 1; }; }
stop_postfix() { [ -f "$LAB/postfix/etc/main.cf" ] && postfix -c "$LAB/postfix/etc" stop >/dev/null 2>&1 || true; }
# A real DNS server for the Exchange paths: the zone of the Autodiscover discovery tests
# (the Exchange test server listens on 127.0.0.1:$EXCHANGE_PORT, its HTTP redirect on
# 127.0.0.3:$EXCHANGE_HTTP_PORT), MX/SRV/CNAME records, NXDOMAIN for every other .test name,
# REFUSED for refused.test and silence (a resolver that times out) for slow.test.
write_dnsmasq_config() {
  mkdir -p "$LAB/dnsmasq"
  cat > "$LAB/dnsmasq/dnsmasq.conf" <<EOF
port=$DNS_PORT
listen-address=$HOST
bind-interfaces
no-resolv
no-hosts
no-poll
pid-file=$LAB/dnsmasq/dnsmasq.pid
local=/test/
local=/example/
local-ttl=300
host-record=contoso.test,127.0.0.1
host-record=autodiscover.contoso.test,127.0.0.1
host-record=mail.contoso.test,127.0.0.1,::1
mx-host=contoso.test,mail.contoso.test,10
host-record=autodiscover.adhost.test,127.0.0.1
host-record=autodiscover.redirect.test,127.0.0.3
host-record=mail.redirect.test,127.0.0.1
srv-host=_autodiscover._tcp.srv.test,mail.srv.test,$EXCHANGE_PORT,0,0
host-record=mail.srv.test,127.0.0.1
srv-host=_autodiscover._tcp.leak.test,autodiscover.attacker.example,$EXCHANGE_PORT,0,0
host-record=autodiscover.attacker.example,127.0.0.1
cname=autodiscover.cname.test,mail.contoso.test
host-record=nomx.test,127.0.0.1
mx-host=badmx.test,nowhere.badmx.test,10
server=/slow.test/127.0.0.1#$SILENT_DNS_PORT
server=/refused.test/#
EOF
}
start_dnsmasq() { dnsmasq --conf-file="$LAB/dnsmasq/dnsmasq.conf" --user=root </dev/null >/dev/null 2>&1 || { log "dnsmasq did not start"; return 1; }; }
stop_dnsmasq() {
  if [ -f "$LAB/dnsmasq/dnsmasq.pid" ]; then kill "$(cat "$LAB/dnsmasq/dnsmasq.pid")" 2>/dev/null || true; rm -f "$LAB/dnsmasq/dnsmasq.pid"; fi
}

start_nginx() { nginx -c "$LAB/nginx/nginx.conf" -e "$LOGDIR/nginx-error.log" </dev/null >/dev/null 2>&1; }
stop_nginx() {
  if [ -f "$LAB/nginx/nginx.pid" ]; then kill "$(cat "$LAB/nginx/nginx.pid")" 2>/dev/null || true; rm -f "$LAB/nginx/nginx.pid"; fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }
start_postgres() {
  local bin; bin=$(pg_bin)
  mkdir -p "$PGLAB" "$LAB/secrets"
  rm -rf "$PGLAB/data" "$PGLAB/run" "$PGLAB/postgres.log"; mkdir -p "$PGLAB/data" "$PGLAB/run"
  chown -R postgres:postgres "$PGLAB"
  local password; password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$password" > "$LAB/secrets/postgres.password"; chmod 600 "$LAB/secrets/postgres.password"
  runuser -u postgres -- "$bin/initdb" -D "$PGLAB/data" -A peer --auth-host=scram-sha-256 -U postgres >"$LOGDIR/postgres-init.log" 2>&1 \
    || { tail -5 "$LOGDIR/postgres-init.log" >&2; return 1; }
  runuser -u postgres -- "$bin/pg_ctl" -D "$PGLAB/data" -l "$PGLAB/postgres.log" -w \
    -o "-c listen_addresses=$HOST -c port=$POSTGRES_PORT -c unix_socket_directories=$PGLAB/run -c fsync=on -c max_connections=200" start >/dev/null \
    || { tail -5 "$PGLAB/postgres.log" >&2; return 1; }
  runuser -u postgres -- "$bin/psql" -h "$PGLAB/run" -p "$POSTGRES_PORT" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE mailcanary LOGIN CREATEDB PASSWORD '$password'" -c "CREATE DATABASE mailcanary OWNER mailcanary" \
    -c "GRANT pg_signal_backend TO mailcanary" >/dev/null
  # pg_signal_backend: the tests drop their scratch databases WITH (FORCE), which must be able to end an
  # autovacuum worker that happens to be in one (its process has no role, so only this grant allows it).
}
stop_postgres() {
  [ -f "$PGLAB/data/postmaster.pid" ] || return 0
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$PGLAB/data" -m fast -w stop >/dev/null 2>&1 || true
}

wait_port() {
  local port=$1
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  log "port $port did not open"; return 1
}

write_env() {
  cat > "$LAB/lab.env" <<EOF
MAILCANARY_LAB_HOST=$HOST
MAILCANARY_LAB_IMAP_PORT=$IMAP_PORT
MAILCANARY_LAB_IMAPS_PORT=$IMAPS_PORT
MAILCANARY_LAB_POP3_PORT=$POP3_PORT
MAILCANARY_LAB_POP3S_PORT=$POP3S_PORT
MAILCANARY_LAB_SUBMISSION_PORT=$SUBMISSION_PORT
MAILCANARY_LAB_SMTPS_PORT=$SMTPS_PORT
MAILCANARY_LAB_SMTP_PORT=$SMTP_PORT
MAILCANARY_LAB_HTTP_PORT=$HTTP_PORT
MAILCANARY_LAB_HTTPS_PORT=$HTTPS_PORT
MAILCANARY_LAB_INTROSPECTION_PORT=$INTROSPECTION_PORT
MAILCANARY_LAB_DNS_SERVER=$HOST:$DNS_PORT
MAILCANARY_LAB_EXCHANGE_PORT=$EXCHANGE_PORT
MAILCANARY_LAB_EXCHANGE_HTTP_PORT=$EXCHANGE_HTTP_PORT
MAILCANARY_LAB_CA_FILE=$LAB/certs/ca.pem
MAILCANARY_LAB_USER=$LAB_USER
MAILCANARY_LAB_PASSWORD_FILE=$LAB/secrets/alice.password
MAILCANARY_LAB_POSTGRES_HOST=$HOST
MAILCANARY_LAB_POSTGRES_PORT=$POSTGRES_PORT
MAILCANARY_LAB_POSTGRES_USER=mailcanary
MAILCANARY_LAB_POSTGRES_DATABASE=mailcanary
MAILCANARY_LAB_POSTGRES_PASSWORD_FILE=$LAB/secrets/postgres.password
MAILCANARY_LAB_DIR=$LAB
MAILCANARY_LAB_SCRIPT=$ROOT/scripts/lab.sh
MAILCANARY_LAB_LOG_DIR=$LOGDIR
EOF
}

case "${1:-up}" in
  build-deps)
    # What building MailCanary needs, no servers (scripts/demo.sh).
    need_root
    missing=()
    [ -f /usr/include/ares.h ] || missing+=(libc-ares-dev)
    [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
    if [ ${#missing[@]} -gt 0 ]; then
      log "installing ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    ;;
  up)
    need_root
    install_packages
    stop_nginx; stop_postfix; stop_dovecot; stop_dnsmasq; stop_postgres
    mkdir -p "$LAB" "$LOGDIR"
    make_certificates
    make_users
    write_dovecot_config
    write_dovecot_oauth2_config
    write_postfix_config
    write_nginx_config
    write_dnsmasq_config
    start_dnsmasq
    start_dovecot
    start_postfix
    start_nginx
    start_postgres
    for port in $IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT $SUBMISSION_PORT $SMTPS_PORT $HTTPS_PORT; do wait_port "$port"; done
    write_env
    log "up: IMAP $IMAP_PORT/$IMAPS_PORT, POP3 $POP3_PORT/$POP3S_PORT, submission $SUBMISSION_PORT/$SMTPS_PORT, HTTPS $HTTPS_PORT on $HOST"
    log "user $LAB_USER, password in $LAB/secrets/alice.password, CA $LAB/certs/ca.pem"
    log "PostgreSQL on $HOST:$POSTGRES_PORT (user mailcanary, password in $LAB/secrets/postgres.password)"
    ;;
  down) stop_nginx; stop_postfix; stop_dovecot; stop_dnsmasq; stop_postgres ;;
  stop-dovecot) stop_dovecot ;;
  start-dovecot)
    start_dovecot; wait_port $IMAPS_PORT
    # smtpd processes keep their connection to Dovecot's auth socket: give them fresh ones.
    postfix -c "$LAB/postfix/etc" reload </dev/null >/dev/null 2>&1 || true ;;
  status)
    for port in $IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT $SUBMISSION_PORT $SMTPS_PORT $HTTPS_PORT; do
      if (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then echo "$port open"; else echo "$port closed"; fi
    done ;;
  *) log "usage: $0 up|down|build-deps|stop-dovecot|start-dovecot|status"; exit 2 ;;
esac
