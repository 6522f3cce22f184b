"""Connects to a TLS server trusting only the given CA, in OpenSSL's strict X.509 mode
(the default of Python 3.13's create_default_context). Usage: verify.py CA HOST PORT SERVER_NAME"""
import socket
import ssl
import sys

ca, host, port, server_name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
with socket.create_connection((host, port), timeout=10) as sock:
    with ctx.wrap_socket(sock, server_hostname=server_name) as tls:
        print("ok", tls.version())
