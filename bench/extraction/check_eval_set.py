#!/usr/bin/env python3
"""Validate the extraction evaluation data (dev_set.jsonl, eval_set.jsonl, businesses.json).

Usage:  python3 bench/extraction/check_eval_set.py [--root /path/to/repo]

Checks, for both files:
  * every line is one JSON object of one of the two shapes (dual channel: caller + business,
    or mono: text), with id, to, lang, tags and expected {service, city};
  * ids are unique across both files, and no transcript is repeated across or within files;
  * "to" is the phone_number of a business in bench/extraction/businesses.json, and "lang"
    is that business's language;
  * expected.service is null or the name of one of that business's services;
  * expected.city is null or a place of the business's country, written exactly as in
    config/places/il_localities.tsv (column name_he) or as "Name, ST" from
    config/places/us_cities.tsv;
  * tags are from the known list and agree with the expectation (no_service -> service null,
    no_place -> city null; "state" only on English lines, "prefix"/"niqqud" only on Hebrew);
  * at least 55% of the lines of each file are Hebrew.
Prints counts per tag and language. Exits with status 1 if any check fails.
"""
import argparse
import collections
import json
import os
import sys

KNOWN_TAGS = {
    "plain", "prefix", "variants", "asr_error", "correction", "negation", "no_service",
    "no_place", "two_places", "street", "state", "common_word", "business_channel", "mixed",
    "long", "described", "niqqud",
}
FILES = ["dev_set.jsonl", "eval_set.jsonl"]
MIN_HE_SHARE = 0.55


def read_tsv(path):
    # The place files are tab separated with no quoting (Hebrew names contain ASCII '"').
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = []
        for line in f:
            line = line.rstrip("\n")
            if line:
                rows.append(dict(zip(header, line.split("\t"))))
    return rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.normpath(os.path.join(here, "..", "..")))
    args = ap.parse_args()
    bench = os.path.join(args.root, "bench", "extraction")
    places_dir = os.path.join(args.root, "config", "places")

    errors = []

    def err(msg):
        errors.append(msg)

    il_names = {r["name_he"] for r in read_tsv(os.path.join(places_dir, "il_localities.tsv"))}
    us_names = {"%s, %s" % (r["name"], r["state"]) for r in read_tsv(os.path.join(places_dir, "us_cities.tsv"))}
    place_sets = {"il": il_names, "us": us_names}

    with open(os.path.join(bench, "businesses.json"), encoding="utf-8") as f:
        businesses = json.load(f)
    by_phone = {}
    for b in businesses:
        for key in ("name", "phone_number", "forward_to", "language", "places", "services"):
            if key not in b:
                err("businesses.json: business %r has no %r" % (b.get("name"), key))
        if b["phone_number"] in by_phone:
            err("businesses.json: duplicate phone number %s" % b["phone_number"])
        by_phone[b["phone_number"]] = b
        names = [s["name"] for s in b["services"]]
        if len(set(names)) != len(names):
            err("businesses.json: duplicate service name in %s" % b["name"])
        for p in b["places"]:
            if p not in place_sets:
                err("businesses.json: unknown places %r in %s" % (p, b["name"]))

    seen_ids = {}
    seen_texts = {}
    stats = {}
    for fname in FILES:
        path = os.path.join(bench, fname)
        lang_count = collections.Counter()
        tag_lang = collections.Counter()
        shape_count = collections.Counter()
        null_count = collections.Counter()
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for no, line in enumerate(lines, 1):
            where = "%s:%d" % (fname, no)
            try:
                o = json.loads(line)
            except ValueError as e:
                err("%s: not JSON (%s)" % (where, e))
                continue
            if not isinstance(o, dict):
                err("%s: not an object" % where)
                continue
            oid = o.get("id")
            if not isinstance(oid, str) or not oid:
                err("%s: missing id" % where)
            elif oid in seen_ids:
                err("%s: id %s already used at %s" % (where, oid, seen_ids[oid]))
            else:
                seen_ids[oid] = where
            where = "%s (%s)" % (where, oid)

            has_text = "text" in o
            has_dual = "caller" in o or "business" in o
            if has_text == has_dual:
                err("%s: must have either text or caller+business" % where)
                continue
            if has_dual and not ("caller" in o and "business" in o):
                err("%s: dual-channel line needs both caller and business" % where)
                continue
            allowed = {"id", "to", "lang", "tags", "expected"} | ({"text"} if has_text else {"caller", "business"})
            extra = set(o) - allowed
            if extra:
                err("%s: unexpected keys %s" % (where, sorted(extra)))
            chans = [o["text"]] if has_text else [o["caller"], o["business"]]
            if not all(isinstance(c, str) for c in chans) or not any(c.strip() for c in chans):
                err("%s: transcript text missing or empty" % where)
                continue
            shape_count["mono" if has_text else "dual"] += 1
            key = tuple(c.strip() for c in chans)
            if key in seen_texts:
                err("%s: same transcript as %s" % (where, seen_texts[key]))
            seen_texts[key] = where

            biz = by_phone.get(o.get("to"))
            if biz is None:
                err("%s: 'to' %r is not a business phone number" % (where, o.get("to")))
                continue
            lang = o.get("lang")
            if lang != biz["language"]:
                err("%s: lang %r but business %s speaks %r" % (where, lang, biz["name"], biz["language"]))
            lang_count[lang] += 1

            tags = o.get("tags")
            if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
                err("%s: tags must be a non-empty list of strings" % where)
                tags = []
            if len(set(tags)) != len(tags):
                err("%s: repeated tag" % where)
            for t in tags:
                if t not in KNOWN_TAGS:
                    err("%s: unknown tag %r" % (where, t))
                tag_lang[(t, lang)] += 1

            exp = o.get("expected")
            if not isinstance(exp, dict) or set(exp) != {"service", "city"}:
                err("%s: expected must be {service, city}" % where)
                continue
            service, city = exp["service"], exp["city"]
            if service is not None and service not in [s["name"] for s in biz["services"]]:
                err("%s: service %r is not a service of %s" % (where, service, biz["name"]))
            if city is not None:
                if not isinstance(city, str) or not any(city in place_sets[p] for p in biz["places"]):
                    err("%s: city %r is not a place of %s (%s)" % (where, city, biz["name"], "/".join(biz["places"])))
            if service is None:
                null_count["service"] += 1
            if city is None:
                null_count["city"] += 1
            if "no_service" in tags and service is not None:
                err("%s: tagged no_service but service is %r" % (where, service))
            if "no_place" in tags and city is not None:
                err("%s: tagged no_place but city is %r" % (where, city))
            if lang == "he" and "state" in tags:
                err("%s: 'state' tag on a Hebrew line" % where)
            if lang == "en" and ("prefix" in tags or "niqqud" in tags):
                err("%s: Hebrew-only tag on an English line" % where)

        total = sum(lang_count.values())
        share = lang_count["he"] / total if total else 0.0
        if share < MIN_HE_SHARE:
            err("%s: Hebrew share %.1f%% is below %.0f%%" % (fname, 100 * share, 100 * MIN_HE_SHARE))
        stats[fname] = (total, lang_count, share, shape_count, tag_lang, null_count)

    for fname in FILES:
        if fname not in stats:
            continue
        total, lang_count, share, shape_count, tag_lang, null_count = stats[fname]
        print("== %s: %d lines (he %d, en %d; Hebrew %.1f%%), dual %d, mono %d, service null %d, city null %d"
              % (fname, total, lang_count["he"], lang_count["en"], 100 * share,
                 shape_count["dual"], shape_count["mono"], null_count["service"], null_count["city"]))
        print("   %-17s %5s %5s %5s" % ("tag", "he", "en", "all"))
        for t in sorted(KNOWN_TAGS):
            he, en = tag_lang[(t, "he")], tag_lang[(t, "en")]
            print("   %-17s %5d %5d %5d" % (t, he, en, he + en))
    print("== both files, per tag (he+en):")
    for t in sorted(KNOWN_TAGS):
        n = sum(stats[f][4][(t, l)] for f in stats for l in ("he", "en"))
        print("   %-17s %5d" % (t, n))

    if errors:
        print("\n%d problem(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
