"""Sends bench/load's AdmissionReview mix N times round-robin over one keep-alive TLS connection
and exits non-zero on any answer but 200. Usage: python3 send_mix.py PORT CA.pem MIX_FILE N"""

import http.client
import ssl
import sys


def main():
    port, ca, mix_file, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    requests = []
    with open(mix_file, encoding="utf-8") as mix:
        for line in mix:
            path, body_file = line.split()
            with open(body_file, "rb") as body:
                requests.append((path, body.read()))
    context = ssl.create_default_context(cafile=ca)
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=120)
    for index in range(count):
        path, body = requests[index % len(requests)]
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"{path}: HTTP {response.status}")
    connection.close()


if __name__ == "__main__":
    main()
