#!/usr/bin/env python3
"""fill.py DB DISTRICT - fill one testing round over DISTRICT with every person of a demo
city (bench/reconcile/run.sh): sites of 500 persons in the district's communities, tubes
of 10, boxes of a site's tubes, receipts, unpacks and results, with a known share of
each anomaly the reconciliation lists. Writes the round's id to standard output.

Shares (by tube number j, box number s): a tube open (j % 997 == 0), boxes left at the
site (s % 100 == 7), tubes missing at receipt (j % 1009 == 3), received tubes without a
result (j % 50 == 1), 100 barcodes found unlisted, 100 unmatched results, 50 persons
registered a second time under another ID number."""
import sqlite3
import struct
import sys
import time



def write_negatives(cur, tubes, lab, at):
    """First results, all negative, by 'bench', into their chunks as migration 0044 keeps
    them (store_sqlite_results.c: the format byte, 128 codes, 13 bytes a result, the
    reporters; no positives)."""
    chunks = {}
    for t in sorted(tubes):
        chunks.setdefault(t >> 7, []).append(t & 127)
    for chunk, slots in chunks.items():
        codes = bytearray(128)
        for s in slots:
            codes[s] = 1
        detail = b"".join(struct.pack("<BIq", 0, lab, at) for _ in slots)
        blob = bytes([1]) + bytes(codes) + detail + bytes([1, 5]) + b"bench"
        cur.execute("INSERT INTO result_chunks (id, slots) VALUES (?, ?)", (chunk, blob))


db, district = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
cur = con.cursor()
now = int(time.time())
t0 = now - 30 * 3600
comms = [r[0] for r in cur.execute(
    "SELECT code FROM areas WHERE level = 'community' AND code LIKE ? ORDER BY code", (district + '%',))]
persons = [r[0] for r in cur.execute("SELECT id FROM persons ORDER BY id")]
cur.execute("INSERT INTO labs (name, area_code, created_by, created_at) VALUES (?,?,?,?)",
            (f"bench-lab-{now}", district, "bench", now))
lab = cur.lastrowid
cur.execute("INSERT INTO testing_rounds (name, area_code, starts_at, ends_at, state, created_by, "
            "created_at) VALUES (?,?,?,?,'open','bench',?)", ("bench round", district, t0 - 3600,
                                                              now + 12 * 3600, now))
rnd = cur.lastrowid
n_tubes = (len(persons) + 9) // 10
n_sites = (n_tubes + 49) // 50
site_ids = []
for s in range(n_sites):
    cur.execute("INSERT INTO sampling_sites (round_id, name, area_code) VALUES (?,?,?)",
                (rnd, f"site {s}", comms[s % len(comms)]))
    site_ids.append(cur.lastrowid)
tube_ids = []
for j in range(n_tubes):
    cur.execute("INSERT INTO tubes (barcode, round_id, site_id, size, state, issued_at, issued_by, "
                "opened_at, opened_by) VALUES (?,?,?,10,'open',?,'bench',?,'bench')",
                (f"RB{rnd:02d}-{j:010d}", rnd, site_ids[j // 50], t0, t0 + j % 3600))
    tube_ids.append(cur.lastrowid)
# a member's id is its tube's id * 128 + its place (migration 0032)
cur.executemany("INSERT INTO tube_members (id, tube_id, person_id, round_id, scanned_at, scanned_by) "
                "VALUES (?,?,?,?,?,'bench')",
                ((tube_ids[k // 10] * 128 + k % 10 + 1, tube_ids[k // 10], p, rnd, t0 + (k // 10) % 3600)
                 for k, p in enumerate(persons)))
cur.executemany("UPDATE tubes SET state = 'closed', closed_at = opened_at + 600, closed_by = 'bench' "
                "WHERE id = ?", ((tube_ids[j],) for j in range(n_tubes) if j % 997 != 0))
negatives = []
for s in range(n_sites):
    cur.execute("INSERT INTO sample_boxes (code, round_id, site_id, packed_at, packed_by) "
                "VALUES (?,?,?,?,'bench')", (f"RBOX{rnd:02d}-{s:08d}", rnd, site_ids[s], t0 + 3700))
    box = cur.lastrowid
    tubes = [j for j in range(s * 50, min(n_tubes, s * 50 + 50)) if j % 997 != 0]
    cur.executemany("INSERT INTO box_tubes (box_id, tube_id, packed_at) VALUES (?,?,?)",
                    ((box, tube_ids[j], t0 + 3700) for j in tubes))
    if s % 100 == 7:
        continue
    cur.execute("UPDATE sample_boxes SET state = 'received', handed_at = ?, handed_by = 'bench', "
                "courier = 'bench', received_at = ?, received_by = 'bench', lab_id = ? WHERE id = ?",
                (t0 + 3800, t0 + 7200, lab, box))
    missing = [j for j in tubes if j % 1009 == 3]
    cur.execute("INSERT INTO box_unpacks (box_id, lab_id, unpacked_at, unpacked_by, found, missing, "
                "extra) VALUES (?,?,?,'bench',?,?,0)", (box, lab, t0 + 7300, len(tubes) - len(missing),
                                                        len(missing)))
    unpack = cur.lastrowid
    cur.executemany("INSERT INTO box_tubes_missing (unpack_id, tube_id) VALUES (?,?)",
                    ((unpack, tube_ids[j]) for j in missing))
    negatives.extend(tube_ids[j] for j in tubes if j % 50 != 1 and j % 1009 != 3)
    if s < 100:
        cur.execute("INSERT INTO unmatched_tubes (kind, round_id, area_code, barcode, reason, box_id, "
                    "lab_id, recorded_at, recorded_by) VALUES ('found',?,?,?,'unknown',?,?,?,'bench')",
                    (rnd, comms[s % len(comms)], f"RX{rnd:02d}-{s:08d}", box, lab, t0 + 7300))
        cur.execute("INSERT INTO unmatched_tubes (kind, round_id, area_code, barcode, reason, lab_id, "
                    "result, recorded_at, recorded_by) VALUES ('result',?,?,?,'unknown',?,'negative',?,"
                    "'bench')", (rnd, district, f"RY{rnd:02d}-{s:08d}", lab, t0 + 9000))
for i, p in enumerate(persons[:50 * 997:997]):
    cur.execute("INSERT INTO persons (name, id_type, id_number, sex, birth_date, phone, resident_type, "
                "address, community_code, created_at, updated_at) SELECT name, 'passport', "
                "'BENCH' || ? || '-' || id, sex, birth_date, phone, 'non_resident', address, "
                "community_code, created_at, updated_at FROM persons WHERE id = ?", (rnd, p))
write_negatives(cur, negatives, lab, t0 + 9000)
con.commit()
print(rnd)
