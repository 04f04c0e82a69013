"""The `noiseprotocol` package (an independent Python Noise implementation) as a peer over TCP.

Usage: python noise_peer.py initiator PORT   — connect to 127.0.0.1:PORT
       python noise_peer.py responder        — listen on a free port, print it, accept once
Messages are framed with a 2-byte big-endian length. The handshake carries payloads
"init-hello" / "resp-hello" / "init-done"; then the initiator sends "ping N" and expects
"pong N" for N in 0..4. Prints a JSON summary at the end.
"""

import json
import socket
import struct
import sys

from noise.connection import Keypair, NoiseConnection


def send(sock, data):
    sock.sendall(struct.pack(">H", len(data)) + data)


def receive(sock):
    header = b""
    while len(header) < 2:
        chunk = sock.recv(2 - len(header))
        if not chunk:
            raise EOFError("peer closed")
        header += chunk
    (length,) = struct.unpack(">H", header)
    data = b""
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            raise EOFError("peer closed")
        data += chunk
    return data


role = sys.argv[1]
noise = NoiseConnection.from_name(b"Noise_XX_25519_ChaChaPoly_SHA256")
noise.set_keypair_from_private_bytes(Keypair.STATIC, bytes(range(1, 33)))
if role == "initiator":
    sock = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    noise.set_as_initiator()
    noise.start_handshake()
    send(sock, noise.write_message(b"init-hello"))
    got_hello = noise.read_message(receive(sock))
    # The responder's static key is known after message 2 (noiseprotocol clears it at the end).
    remote_static = noise.noise_protocol.handshake_state.rs.public_bytes.hex()
    send(sock, noise.write_message(b"init-done"))
    pongs = []
    for index in range(5):
        send(sock, noise.encrypt(f"ping {index}".encode()))
        pongs.append(noise.decrypt(receive(sock)).decode())
    summary = {"handshake_payload": got_hello.decode(), "replies": pongs, "remote_static": remote_static}
else:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    print(server.getsockname()[1], flush=True)
    sock, _ = server.accept()
    noise.set_as_responder()
    noise.start_handshake()
    first = noise.read_message(receive(sock))
    send(sock, noise.write_message(b"resp-hello"))
    last = noise.read_message(receive(sock))
    replies = []
    for index in range(5):
        ping = noise.decrypt(receive(sock)).decode()
        replies.append(ping)
        send(sock, noise.encrypt(ping.replace("ping", "pong").encode()))
    summary = {"handshake_payloads": [first.decode(), last.decode()], "received": replies}
summary["handshake_hash"] = noise.get_handshake_hash().hex()
print(json.dumps(summary), flush=True)
sock.close()
