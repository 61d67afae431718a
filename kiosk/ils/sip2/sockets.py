"""The SIP2 client's socket chores: TLS set-up and telling whether an idle connection is still usable."""

from __future__ import annotations

import select
import socket
import ssl

from kiosk.core.errors import LibraryUnavailable


def peer_closed(sock: socket.socket) -> bool:
    """Whether an idle connection is unusable: closed by the server, or holding a stray
    reply we must not mistake for the next answer. A lone LF (the end of a CRLF) is fine."""
    while True:
        pending = sock.pending() if isinstance(sock, ssl.SSLSocket) else 0
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable and not pending:
            return False
        try:
            sock.settimeout(0.0)
            chunk = sock.recv(4096)
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        except OSError:
            return True
        if not chunk or chunk.strip(b"\r\n"):
            return True


def wrap_tls(
    sock: socket.socket, host: str, where: str, ca: str | None, cert: str | None, key: str | None
) -> ssl.SSLSocket:
    """The connection in TLS, verified against `ca` (else the system's), with a client certificate
    when the server asks for one."""
    try:
        context = ssl.create_default_context(cafile=ca)
        if cert:
            context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        sock.close()
        raise LibraryUnavailable(
            f"{where}: cannot load TLS files ({exc}); check tls_ca, tls_cert and tls_key"
        ) from exc
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        raise LibraryUnavailable(
            f"{where}: TLS certificate not trusted ({exc.verify_message}); check tls_ca"
        ) from exc
    except (ssl.SSLError, OSError) as exc:
        sock.close()
        raise LibraryUnavailable(f"{where}: TLS handshake failed: {exc}") from exc
