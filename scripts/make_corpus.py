#!/usr/bin/env python3
"""Builds a large benchmark corpus from data-sample/: renamed copies in shuffled order.

usage: make_corpus.py --size MB --out DIR [--sample data-sample] [--seed 1]

Every transcript of the sample is copied as many times as needed to reach about
MB megabytes (same bytes, same format: UTF-8, Windows-1255, .docx), each copy with
a new id; the manifest lists the copies in a seeded random order so sectors
interleave. The copies keep the sample's attributes.
"""
import argparse, csv, os, random, shutil

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=float, required=True, help="target size in MB (10^6 bytes)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--sample", default=os.path.join(os.path.dirname(__file__), "..", "data-sample"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with open(os.path.join(a.sample, "manifest.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0].keys())
    sizes = {r["id"]: os.path.getsize(os.path.join(a.sample, r["file"])) for r in rows}
    per_copy = sum(sizes.values())
    copies = max(1, round(a.size * 1e6 / per_copy))
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, "t"))
    out_rows = []
    for k in range(copies):
        for r in rows:
            src = os.path.join(a.sample, r["file"])
            ext = os.path.splitext(r["file"])[1]
            new_id = f"{r['id']}_{k:05d}"
            rel = os.path.join("t", new_id + ext)
            dst = os.path.join(a.out, rel)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
            row = dict(r, id=new_id, file=rel)
            out_rows.append(row)
    random.Random(a.seed).shuffle(out_rows)
    with open(os.path.join(a.out, "manifest.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)
    shutil.copyfile(os.path.join(a.sample, "labels.csv"), os.path.join(a.out, "labels.csv"))
    total = copies * per_copy
    print(f"{a.out}: {len(out_rows)} transcripts, {copies} copies of the sample, {total / 1e6:.1f} MB")

if __name__ == "__main__":
    main()
