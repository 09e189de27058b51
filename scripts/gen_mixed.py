#!/usr/bin/env python3
"""Writes a deterministic mixed log/dump file of about SIZE bytes to OUT.

Usage: scripts/gen_mixed.py OUT SIZE_MIB [SEED]

Lines mix application logs (request ids, timestamps, order numbers), pg_dump COPY
rows (names, e-mails, SSNs, birth dates, phones) and numeric noise, with planted PII
in about one line in ten. Used by docs/PERFORMANCE.md measurements.
"""
import random
import sys


def line(r: random.Random, i: int) -> str:
    k = r.randrange(20)
    ts = "2024-03-%02dT%02d:%02d:%02dZ" % (1 + r.randrange(28), r.randrange(24), r.randrange(60), r.randrange(60))
    if k == 0:
        return "%s INFO login ok user=user%d@corp-mail.net client ip 81.2.%d.%d\n" % (ts, i, r.randrange(256), r.randrange(256))
    if k == 1:
        return '%s DEBUG payload {"customer_id": %d, "ssn": "5%02d-%02d-%04d"}\n' % (ts, i, 1 + r.randrange(99), 1 + r.randrange(99), 1 + r.randrange(9999))
    if k in (2, 3, 4):
        return "%d\tMaria\tGonzalez\tm.g%d@mailbox.net\t5%02d-%02d-%04d\t19%02d-%02d-%02d\t(415) 8%02d-%04d\t2023-01-04 10:12:55+00\n" % (
            i, i, 1 + r.randrange(99), 1 + r.randrange(99), 1 + r.randrange(9999), 40 + r.randrange(60), 1 + r.randrange(12), 1 + r.randrange(28), 20 + r.randrange(79), r.randrange(10000))
    if k == 5:
        return "%s INFO order ORD-2024-%06d total=%d.%02d zip=%05d\n" % (ts, r.randrange(999999), r.randrange(500), r.randrange(100), r.randrange(99999))
    return "%s INFO request_id=%016x GET /api/v1/items/%d 200 %dms bytes=%d\n" % (ts, r.getrandbits(64), r.randrange(100000), r.randrange(900), r.randrange(1 << 20))


def main() -> None:
    out, size = sys.argv[1], int(sys.argv[2]) << 20
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    written, i = 0, 0
    with open(out, "w", buffering=1 << 20) as f:
        while written < size:
            i += 1
            s = line(r, i)
            f.write(s)
            written += len(s)


if __name__ == "__main__":
    main()
