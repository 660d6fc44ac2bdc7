#!/usr/bin/env python3
"""Usage: bench/rep_ids.py BASE_URL COOKIE [COUNT]

Prints the ids of about COUNT (default 2000) active representatives spread over the whole
list (pages evenly spaced across it, the list being in code order, which follows the
regions), one a line: the addressees of the intake benchmarks' new cases (bench/post.lua),
so that a batch's cases reach many towns, stations and deputies as a province's would.
"""
import json
import sys
import urllib.request


def page(base, cookie, number):
    request = urllib.request.Request(f"{base}/api/v1/records/representatives?page={number}",
                                     headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def main():
    base, cookie = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    first = page(base, cookie, 1)
    size, total = first["page_size"], first["total"]
    pages = max(1, -(-total // size))
    wanted = min(pages, max(1, count // size))
    numbers = sorted({1 + (pages - 1) * k // max(1, wanted - 1) for k in range(wanted)})
    ids = []
    for number in numbers:
        items = first["items"] if number == 1 else page(base, cookie, number)["items"]
        ids += [item["id"] for item in items if item.get("active")]
    if not ids:
        sys.exit("rep_ids: no active representative found")
    print("\n".join(ids))


if __name__ == "__main__":
    main()
