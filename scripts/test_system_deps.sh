#!/usr/bin/env bash
# The Debian programs some test suites drive (xmlsec1 for SAML signatures, slapd for LDAP, nginx for the
# reverse-proxy tests, janus for the calls plugin's Janus backend, firefox-esr, xvfb (a screen for Firefox to
# share) and iproute2 for the calls between Firefox and Chromium in tests/e2e/test_calls_firefox_ui.py: some
# 13 s for firefox-esr's 80 MB),
# installed once before pytest starts: installing them from inside the tests
# raced between xdist workers (one worker's collection saw the program, the other's did not, and xdist
# refuses to run two different collections). Without root or apt-get it does nothing, and those suites
# skip with the reason.
set -u
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || exit 0
missing=()
command -v xmlsec1 >/dev/null || missing+=(xmlsec1)
command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v janus >/dev/null || [ -x /usr/bin/janus ] || missing+=(janus)
command -v firefox-esr >/dev/null || command -v firefox >/dev/null || missing+=(firefox-esr)
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing test programs: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null 2>&1; apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } \
  || echo "could not install ${missing[*]}: the suites that need them skip"
exit 0
