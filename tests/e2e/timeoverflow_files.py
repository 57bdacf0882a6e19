#!/usr/bin/env python3
"""Writes a TimeOverflow bank's members and transfers exactly as TimeOverflow writes them, in both
forms a centre can get out of it (coopdevs/timeoverflow):

  report    the admin's complete reports (MemberCompleteReportDecorator and
            TransferCompleteReportDecorator, through Ruby's CSV.generate): a header row;
            members N, Username, Email, Date of birth, Phone, Alt phone, Address, Created at,
            Updated at, Gender, Description, Terms accepted at, Current sign in at, Last sign in
            at, Locale, Notifications (dates in the database's form, UTC); transfers Date (a
            TimeWithZone's to_s, "2018-04-26 14:48:05 +0200"), from ("Name (uid)", the
            organisation's name), from ID (the member's number, 0 for the organisation), to, to
            ID, post, post ID, Reason, quantity (hours, Float#round(2).to_s: "1.0", "0.33").
  importer  the files its admin importers read (UserImporter, TransferImporter): no header;
            members member_uid, entry_date, three name parts, gender (1-based number), date of
            birth, phone, alt phone, email; transfers source_id, source_type, destination_id,
            destination_type, amount (seconds), created_at, reason, post_id.

and the balance each member and the organisation must have afterwards, in minutes, as JSON
({"members": {uid: minutes}, "organisation": minutes}). Deterministic for a seed.

Usage: timeoverflow_files.py FORM MEMBERS TRANSFERS OUT_DIR [SEED]
"""
import csv
import datetime
import json
import os
import random
import sys

ORGANISATION = "Banc de Temps Sant Andreu"
FIRST = ["Maria", "José", "Łukasz", "Nguyễn", "Aïsha", "Seán", "Zoë", "Dev", "Ana", "Chloé",
         "Björn", "Fatima", "Mei", "Olu", "Renée", "Tomás"]
LAST = ["O'Neill", "García", "Żółć", "Văn An", "Brown", "Patel", "Müller", "de la Cruz",
        "Okafor", "Núñez", "Smith, Jr.", "Kowalski", "Ruiz", "Chen", "Diallo", "\"Lucky\" Lee"]
GENDERS = ["female", "male", "others", "prefer_not_to_answer"]
POSTS = ["Gardening", "Computer help", "Shopping for a neighbour", "Spanish conversation",
         "Repairing a bike, with new brakes and a chain, and the lights mended too, at home",
         "Cooking for the Thursday lunch"]
# Whole minutes TimeOverflow users record, some that are not quarters (20 minutes is 0.33 h).
MINUTES = [15, 20, 30, 40, 45, 50, 60, 60, 60, 90, 120, 120, 150, 180, 240, 10]


def ruby_float(hours):
    """Float#round(2).to_s: "1.0", "0.33", "2.5"."""
    text = repr(round(hours, 2))
    return text if "." in text or "e" in text else text + ".0"


def main():
    form, members_path, transfers_path, out_dir = sys.argv[1:5]
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 7
    members_count = int(os.environ.get("TO_MEMBERS", "500"))
    transfers_count = int(os.environ.get("TO_TRANSFERS", "20000"))
    rng = random.Random(seed)
    start = datetime.datetime(2014, 3, 1, 9, 0, 0, tzinfo=datetime.timezone.utc)
    members = []
    for index in range(members_count):
        uid = index + 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        middle = rng.choice(["", "", "Rosa", "Jan"])
        joined = start + datetime.timedelta(days=rng.randrange(0, 3000), seconds=rng.randrange(86400))
        members.append({"uid": uid, "parts": [first, middle, last],
                        "name": " ".join(p for p in [first, middle, last] if p),
                        "joined": joined})
    # Two members with the same name: their ids must differ.
    if members_count >= 2:
        members[1]["parts"], members[1]["name"] = members[0]["parts"], members[0]["name"]
    balances = {m["uid"]: 0 for m in members}
    organisation = 0
    transfers = []
    for _ in range(transfers_count):
        minutes = rng.choice(MINUTES)
        seconds = minutes * 60
        if form == "importer" and rng.random() < 0.05:
            seconds += rng.choice([15, 30, 45])  # not whole minutes: rounded on import
        source = rng.choice(members)
        destination = rng.choice(members)
        while destination is source:
            destination = rng.choice(members)
        side = rng.random()
        source_org, destination_org = side < 0.1, 0.1 <= side < 0.2
        when = max(source["joined"], destination["joined"]) + datetime.timedelta(
            days=rng.randrange(0, 400), seconds=rng.randrange(86400))
        when = min(when, datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc))
        post = rng.choice(POSTS + [""])
        transfers.append({"source": None if source_org else source,
                          "destination": None if destination_org else destination,
                          "seconds": seconds, "when": when, "post": post,
                          "post_id": "" if not post else str(POSTS.index(post) + 1),
                          "reason": rng.choice(["", "Thanks!", "for the help, with love",
                                                "Dinner \"special\""])})
        counted = int(seconds / 60 + 0.5) if form == "importer" else minutes
        if source_org:
            organisation -= counted
        else:
            balances[source["uid"]] -= counted
        if destination_org:
            organisation += counted
        else:
            balances[destination["uid"]] += counted

    with open(members_path, "w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        if form == "report":
            out.writerow(["N", "Username", "Email", "Date of birth", "Phone", "Alt phone",
                          "Address", "Created at", "Updated at", "Gender", "Description",
                          "Terms accepted at", "Current sign in at", "Last sign in at", "Locale",
                          "Notifications"])
        for m in members:
            db = m["joined"].strftime("%Y-%m-%d %H:%M:%S")
            if form == "report":
                out.writerow([str(m["uid"]), m["name"], f"user{m['uid']}@example.org",
                              "1970-05-0%d" % (m["uid"] % 9 + 1), "600 000 %03d" % m["uid"], "",
                              "Carrer Gran, %d" % m["uid"], db, db, rng.choice(GENDERS), "",
                              db, "", db, "es", "true"])
            else:
                out.writerow([str(m["uid"]), m["joined"].strftime("%Y-%m-%d")] + m["parts"] +
                             [str(rng.randrange(1, 5)), "1970-05-01", "600 000 001", "",
                              f"user{m['uid']}@example.org"])
    with open(transfers_path, "w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        if form == "report":
            out.writerow(["Date", "from", "from ID", "to", "to ID", "post", "post ID", "Reason",
                          "quantity"])
        for t in transfers:
            if form == "report":
                local = t["when"].astimezone(datetime.timezone(datetime.timedelta(hours=2)))
                def who(m):
                    return (ORGANISATION, "0") if m is None else (f"{m['name']} ({m['uid']})",
                                                                  str(m["uid"]))
                out.writerow([local.strftime("%Y-%m-%d %H:%M:%S +0200"), *who(t["source"]),
                              *who(t["destination"]), t["post"], t["post_id"], t["reason"],
                              ruby_float(t["seconds"] / 3600.0)])
            else:
                def ref(m):
                    return ("1", "organization") if m is None else (str(m["uid"]), "member")
                out.writerow([*ref(t["source"]), *ref(t["destination"]), str(t["seconds"]),
                              t["when"].strftime("%Y-%m-%d %H:%M:%S"), t["reason"], t["post_id"]])
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as file:
        json.dump({"members": {str(k): v for k, v in balances.items()},
                   "organisation": organisation}, file)


if __name__ == "__main__":
    main()
