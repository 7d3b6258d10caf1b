"""Verify OAuth 1.0a signatures with oauthlib (Debian's python3-oauthlib),
an implementation independent of authdeck's, for the tests.

Reads a JSON list of requests on stdin, each:
  {"method", "url", "headers": [[name, value], ...], "body_b64",
   "consumer_secret", "token_secret", "rsa_public_key"}
and writes a JSON list of verdicts, one per request:
  {"ok": bool, "why": str, "params": {oauth_* and realm: value}, "where": "header"|"query"|"body"}

The protocol parameters are collected as a provider would: from the
Authorization header, the form body (application/x-www-form-urlencoded
only) and the query; they must come from exactly one place. The signature
is then checked with oauthlib's verify functions, and an oauth_body_hash
against the SHA-1 or SHA-256 of the body bytes.
"""

import base64
import hashlib
import json
import sys
from urllib.parse import urlsplit

from oauthlib.common import CaseInsensitiveDict
from oauthlib.oauth1.rfc5849 import signature, utils


class Req:
    pass


def verify(item):
    headers = CaseInsensitiveDict(dict(item.get("headers") or []))
    raw = base64.b64decode(item.get("body_b64") or "")
    body = raw.decode("utf-8", "replace")
    form = "application/x-www-form-urlencoded" in headers.get("Content-Type", "")
    uri = item["url"]
    query = urlsplit(uri).query
    hp = signature.collect_parameters(headers=headers, exclude_oauth_signature=False, with_realm=True)
    bp = signature.collect_parameters(body=body if form else None, exclude_oauth_signature=False) if form else []
    qp = signature.collect_parameters(uri_query=query, exclude_oauth_signature=False)
    places = [(w, ps) for w, ps in (("header", hp), ("body", bp), ("query", qp)) if utils.filter_oauth_params(ps)]
    if len(places) != 1:
        return {"ok": False, "why": "protocol parameters in %d places" % len(places)}
    where = places[0][0]
    oauth = dict(utils.filter_oauth_params(places[0][1]))
    shown = dict(oauth)
    if where == "header":
        shown.update({k: v for k, v in hp if k == "realm"})
    params = [(k, v) for k, v in hp + bp + qp if k not in ("oauth_signature", "realm")]
    r = Req()
    r.uri = uri
    r.http_method = item["method"]
    r.params = params
    r.signature = oauth.get("oauth_signature", "")
    method = oauth.get("oauth_signature_method", "")
    cs, ts = item.get("consumer_secret") or "", item.get("token_secret") or ""
    if method == "HMAC-SHA1":
        ok = signature.verify_hmac_sha1(r, cs, ts)
    elif method == "HMAC-SHA256":
        ok = signature.verify_hmac_sha256(r, cs, ts)
    elif method == "PLAINTEXT":
        ok = signature.verify_plaintext(r, cs, ts)
    elif method == "RSA-SHA1":
        ok = signature.verify_rsa_sha1(r, item.get("rsa_public_key") or "")
    elif method == "RSA-SHA256":
        ok = signature.verify_rsa_sha256(r, item.get("rsa_public_key") or "")
    else:
        return {"ok": False, "why": "unknown signature method %r" % method}
    if not ok:
        norm = signature.normalize_parameters(params)
        base = signature.signature_base_string(item["method"], signature.base_string_uri(uri), norm)
        return {"ok": False, "why": "signature does not verify; base string " + base, "params": shown, "where": where}
    if "oauth_body_hash" in oauth:
        h = hashlib.sha256 if method.endswith("-SHA256") else hashlib.sha1
        want = base64.b64encode(h(raw).digest()).decode("ascii")
        if oauth["oauth_body_hash"] != want:
            return {"ok": False, "why": "oauth_body_hash %s, the body hashes to %s" % (oauth["oauth_body_hash"], want), "params": shown, "where": where}
    return {"ok": True, "why": "", "params": shown, "where": where}


def main():
    out = []
    for item in json.load(sys.stdin):
        try:
            out.append(verify(item))
        except Exception as e:  # a malformed request is a failed verdict, not a crash
            out.append({"ok": False, "why": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


main()
