#!/usr/bin/env python3
"""Generate the synthetic rent-arrears cohort: persons.csv and events.csv.

    python3 generate.py

The cohort is synthetic: 3,000 council rent accounts that fell into arrears at least once in
January 2022 to December 2023, in the shape the source work describes (regular patterns of
arrears, about one account in seven taken into enforcement, arrears often tied to insecure
hours, five reasons for not paying). Every share and probability below is an illustrative
assumption, set out in README.md. Nothing here is data about real people.

Standard library only. Every random draw comes from a random.Random seeded from SEED and the
account id, so the script writes byte-identical files on every run and platform. catalogue.csv
(a subset of the Unit Cost Database v1.4 plus illustrative lines), deflators.csv and
scenario.toml are not written by this script.
"""

import csv
import datetime as dt
import os
import random

SEED = 20220401
N_ACCOUNTS = 3000
N_ENFORCEMENT = 420  # 14% of 3,000 accounts reach enforcement on the old way
START = dt.date(2022, 1, 1)
END = dt.date(2023, 12, 31)

CP = "cannot pay"
CPA = "cannot pay: addiction or mental health"
LS = "earns enough but lifestyle leads to debt"
UN = "used to not paying"
WO = "can pay but won't"
REASONS = [(CP, 1350), (CPA, 450), (LS, 360), (UN, 540), (WO, 300)]

# --- illustrative assumptions (see README.md) -------------------------------------------
P_INSECURE = {CP: 0.60, CPA: 0.25, LS: 0.35, UN: 0.30, WO: 0.20}
HOUSEHOLDS = [("single", 0.45), ("single parent", 0.25), ("couple with children", 0.15), ("couple", 0.15)]
ENF_WEIGHT = {CP: 1.0, CPA: 1.5, LS: 1.0, UN: 1.2, WO: 1.5}  # the old way acts on the balance, not the reason
P_CLAIM = {CP: 0.45, CPA: 0.60, LS: 0.55, UN: 0.55, WO: 0.75}  # notice -> possession claim
P_EVICT = {CP: 0.15, CPA: 0.25, LS: 0.15, UN: 0.15, WO: 0.25}  # claim -> eviction
# new way: help first
P_VISIT = {CP: 0.60, CPA: 0.85, LS: 0.50, UN: 0.40, WO: 0.30}
P_BENEFIT_CHECK = {CP: 0.85, CPA: 0.80, LS: 0.30, UN: 0.40, WO: 0.20}
P_ENTITLEMENT = {CP: 0.50, CPA: 0.50, LS: 0.15, UN: 0.20, WO: 0.10}
P_DEBT_ADVICE = {CP: 0.60, CPA: 0.60, LS: 0.85, UN: 0.50, WO: 0.20}
KEEP_HELPED = {CP: 0.20, CPA: 0.40, LS: 0.50, UN: 0.45, WO: 0.90}  # share of later episodes left
KEEP_CALLED = {CP: 0.50, CPA: 0.70, LS: 0.75, UN: 0.60, WO: 0.95}
PAY_CYCLE_FIX = 0.5  # payment date moved to match the pay or benefit date
P_ENF_NEW_HELPED = {CP: 0.05, CPA: 0.20, LS: 0.25, UN: 0.25, WO: 0.80}
P_ENF_NEW_CALLED = {CP: 0.20, CPA: 0.45, LS: 0.45, UN: 0.45, WO: 0.85}
P_EVICT_NEW_GIVEN_OLD = {CP: 0.50, CPA: 0.50, LS: 0.50, UN: 0.50, WO: 1.00}
P_ADVICE_AFTER_NOTICE = 0.6  # both ways: a notice sends many tenants to a debt adviser
P_ADVICE_AFTER_CLAIM = 0.4  # a second agency once a claim is issued

FAMILIES = ("single parent", "couple with children")


def d(x):
    return x.isoformat()


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def add_months(day, months, dom):
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, dom)


def pick(rng, weighted):
    x = rng.random()
    acc = 0.0
    for value, w in weighted:
        acc += w
        if x < acc:
            return value
    return weighted[-1][0]


class Account:
    pass


def make_account(i, reason):
    a = Account()
    a.pid = f"RA{i:04d}"
    a.reason = reason
    rng = random.Random(f"{SEED}:{a.pid}:profile")
    a.household = pick(rng, HOUSEHOLDS)
    a.insecure = rng.random() < P_INSECURE[reason]
    if a.insecure and rng.random() < 0.8:
        a.pattern = "hours cut"
    elif reason == CP:
        a.pattern = "monthly pay cycle" if rng.random() < 0.5 else "seasonal"
    elif reason == CPA:
        a.pattern = "irregular"
    elif reason == LS:
        a.pattern = "seasonal"
    elif reason == UN:
        a.pattern = "monthly pay cycle" if rng.random() < 0.6 else "steady build-up"
    else:
        a.pattern = "steady build-up"
    a.episodes = episodes(rng, a.pattern)  # list of (date, months of letters)
    a.enf_key = rng.random() ** (1.0 / ENF_WEIGHT[reason])
    return a


def episodes(rng, pattern):
    out = []
    if pattern == "monthly pay cycle":
        gap = rng.randint(2, 3)
        m = rng.randint(0, 2)
        while m < 23:
            out.append((add_months(START, m, rng.randint(3, 12)), 1))
            m += gap
    elif pattern == "seasonal":
        for y in (2022, 2023):
            out.append((dt.date(y, 1, rng.randint(10, 25)), 1))
            if rng.random() < 0.3:
                out.append((dt.date(y, 4, rng.randint(8, 22)), 1))
            out.append((dt.date(y, 9, rng.randint(5, 20)), 1))
    elif pattern in ("hours cut", "irregular"):
        k = rng.randint(3, 6) if pattern == "hours cut" else rng.randint(3, 5)
        out.extend((add_months(START, m, rng.randint(1, 25)), 1) for m in sorted(rng.sample(range(23), k)))
    else:  # steady build-up: one long run of monthly letters
        start = add_months(START, rng.randint(0, 8), rng.randint(1, 25))
        out.append((start, rng.randint(4, 12)))
    return [(day, n) for day, n in out if day <= END - dt.timedelta(days=30)]


class Path:
    def __init__(self, pid, pathway):
        self.pid, self.pathway, self.rows = pid, pathway, []

    def ev(self, day, code, qty="1", end="", prob="", demand=""):
        if day <= END:
            self.rows.append([self.pid, self.pathway, d(day), code, qty, d(end) if end else "", "", prob, demand])

    def cut_after(self, day):
        self.rows = [r for r in self.rows if r[2] <= d(day)]


def arrears_contacts(p, rng, day, months):
    """Old way: the template letter cycle for one arrears episode."""
    for k in range(months):
        x = day + dt.timedelta(days=30 * k)
        p.ev(x, "ILL-LA-LETTER")
        if rng.random() < 0.6:
            p.ev(x + dt.timedelta(days=14), "ILL-LA-LETTER")
        if rng.random() < 0.45:
            p.ev(x + dt.timedelta(days=rng.randint(3, 20)), "ILL-LA-CALL")


def enforcement(p, rng, a, nsp, claim, evict):
    """Notice, claim, hearing and, for some, eviction and its consequences. Returns the stage."""
    p.ev(nsp, "ILL-NSP")
    p.ev(nsp + dt.timedelta(days=28), "ILL-LA-LETTER")
    if rng.random() < 0.5:
        p.ev(nsp + dt.timedelta(days=rng.randint(5, 40)), "ILL-LA-CALL")
    if rng.random() < P_ADVICE_AFTER_NOTICE:
        p.ev(nsp + dt.timedelta(days=rng.randint(7, 28)), "ILL-DEBT-ADVICE")
    if not claim:
        return "notice", None
    c = nsp + dt.timedelta(days=rng.randint(42, 120))
    hearing = c + dt.timedelta(days=rng.randint(42, 70))
    p.ev(c, "ILL-POSSESSION-CLAIM")
    if rng.random() < P_ADVICE_AFTER_CLAIM:
        p.ev(c + dt.timedelta(days=rng.randint(7, 28)), "ILL-DEBT-ADVICE", demand="failure")
    p.ev(hearing, "ILL-COURT-POSSESSION")
    if rng.random() < 0.5:
        p.ev(hearing, "HO5.2")
    warrant = hearing + dt.timedelta(days=rng.randint(90, 200))
    day = warrant + dt.timedelta(days=rng.randint(28, 56))
    if not evict or day > END - dt.timedelta(days=31):
        for k in (60, 120):
            if rng.random() < 0.5:
                p.ev(hearing + dt.timedelta(days=k), "ILL-LA-LETTER")
        return "court", None
    p.ev(warrant, "ILL-HOUSING-OFFICER", qty="2", demand="failure")  # warrant application
    p.ev(warrant, "ILL-COURT-POSSESSION")
    p.cut_after(day)
    p.ev(day, "HO1.0.2")
    p.ev(day + dt.timedelta(days=1), "HO1.0.3")
    family = a.household in FAMILIES
    nxt = day + dt.timedelta(days=1)
    if rng.random() < (0.95 if family else 0.60):
        p.ev(nxt, "HO3.0.2")
        if family:
            bb_end = min(nxt + dt.timedelta(days=rng.randint(14, 42)), END)
            p.ev(nxt, "HO4.1", end=bb_end)
            ta_end = bb_end + dt.timedelta(days=rng.randint(60, 300))
            if bb_end < END:
                p.ev(bb_end + dt.timedelta(days=1), "HO4.4", end=min(ta_end, END))
            if rng.random() < 0.3:
                p.ev(day + dt.timedelta(days=rng.randint(14, 60)), "SS6.1")
            move_on = ta_end < END
        else:
            ta_end = nxt + dt.timedelta(days=rng.randint(28, 180))
            p.ev(nxt, "HO4.0", end=min(ta_end, END))
            move_on = ta_end < END and rng.random() < 0.5
        if move_on:
            p.ev(ta_end + dt.timedelta(days=1), "HO3.0.4")
            p.ev(ta_end + dt.timedelta(days=1), "HO3.0.5")
    elif not family and rng.random() < 0.3:
        p.ev(nxt, "HO6.1", end=min(nxt + dt.timedelta(days=rng.randint(28, 120)), END))
    return "evicted", day


def old_way(a):
    rng = random.Random(f"{SEED}:{a.pid}:old")
    p = Path(a.pid, "old")
    for day, months in a.episodes:
        arrears_contacts(p, rng, day, months)
    a.old_stage, a.old_nsp, a.old_claim, a.old_evicted = "letters", None, False, False
    if a.enforced:
        first = a.episodes[0][0]
        a.old_nsp = clamp(first + dt.timedelta(days=rng.randint(60, 240)), dt.date(2022, 3, 1), dt.date(2023, 3, 31))
        a.old_claim = rng.random() < P_CLAIM[a.reason]
        evict = a.old_claim and rng.random() < P_EVICT[a.reason]
        a.old_stage, day = enforcement(p, rng, a, a.old_nsp, a.old_claim, evict)
        a.old_evicted = a.old_stage == "evicted"
    return p.rows


def new_way(a):
    rng = random.Random(f"{SEED}:{a.pid}:new")
    p = Path(a.pid, "new")
    first, first_months = a.episodes[0]
    p.ev(first, "ILL-LA-LETTER")
    call = first + dt.timedelta(days=rng.randint(3, 7))
    p.ev(call, "ILL-HOUSING-OFFICER", qty="0.5")  # the named officer phones: what is going on?
    a.visited = rng.random() < P_VISIT[a.reason]
    if a.visited:
        v = call + dt.timedelta(days=rng.randint(5, 14))
        p.ev(v, "ILL-HOUSING-OFFICER", qty="2.5")  # tenancy sustainment visit
        if rng.random() < P_BENEFIT_CHECK[a.reason]:
            p.ev(v + dt.timedelta(days=rng.randint(0, 7)), "ILL-BENEFIT-CHECK")
            if rng.random() < P_ENTITLEMENT[a.reason]:
                p.ev(v + dt.timedelta(days=rng.randint(14, 28)), "HO8.0")
        if rng.random() < P_DEBT_ADVICE[a.reason]:
            p.ev(v + dt.timedelta(days=rng.randint(7, 21)), "ILL-DEBT-ADVICE")
            if rng.random() < 0.5:
                p.ev(v + dt.timedelta(days=rng.randint(35, 63)), "ILL-DEBT-ADVICE")
        if a.reason == CPA:
            # a warm referral; only the first contact is costed (treatment is outside the boundary)
            kind = pick(rng, [("HE1.5", 0.4), ("HE2.16", 0.2), ("HE20.2", 0.4)])
            p.ev(v + dt.timedelta(days=rng.randint(7, 21)), kind)
        if a.insecure and rng.random() < 0.6:
            p.ev(v + dt.timedelta(days=rng.randint(14, 28)), "E&E1.9")
            if rng.random() < 0.5:
                p.ev(v + dt.timedelta(days=rng.randint(56, 84)), "E&E1.9")
        if rng.random() < 0.7:
            p.ev(v + dt.timedelta(days=rng.randint(42, 56)), "ILL-HOUSING-OFFICER", qty="1")
    keep = (KEEP_HELPED if a.visited else KEEP_CALLED)[a.reason]
    if a.pattern == "monthly pay cycle":
        keep *= PAY_CYCLE_FIX
    # the rest of a first long run, then later episodes: a reminder and a call from the same officer
    later = [(first + dt.timedelta(days=30 * k), 1) for k in range(1, first_months)] + a.episodes[1:]
    for day, months in later:
        for k in range(months):
            if rng.random() < keep:
                x = day + dt.timedelta(days=30 * k)
                p.ev(x, "ILL-LA-LETTER")
                p.ev(x + dt.timedelta(days=rng.randint(2, 7)), "ILL-HOUSING-OFFICER", qty="0.25")
    a.new_stage = "letters"
    if a.enforced:
        pe = (P_ENF_NEW_HELPED if a.visited else P_ENF_NEW_CALLED)[a.reason]
        if rng.random() < pe:
            # help is offered first; "can pay but won't" who refuse it go on to enforcement promptly
            delay = rng.randint(14, 42) if a.reason == WO else rng.randint(28, 90)
            nsp = min(a.old_nsp + dt.timedelta(days=delay), dt.date(2023, 6, 30))
            claim = a.old_claim and (a.reason == WO or rng.random() < 0.85)
            evict = a.old_evicted and claim and rng.random() < P_EVICT_NEW_GIVEN_OLD[a.reason]
            a.new_stage, day = enforcement(p, rng, a, nsp, claim, evict)
        if a.old_evicted and a.new_stage != "evicted":
            # the eviction the old way ended in is prevented: cost the prevention work
            p.ev(a.old_nsp + dt.timedelta(days=rng.randint(30, 90)), "HO5.0")
    return p.rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(f"{SEED}:reasons")
    reasons = [r for r, n in REASONS for _ in range(n)]
    rng.shuffle(reasons)
    accounts = [make_account(i + 1, reasons[i]) for i in range(N_ACCOUNTS)]
    chosen = sorted(accounts, key=lambda a: (-a.enf_key, a.pid))[:N_ENFORCEMENT]
    chosen_ids = {a.pid for a in chosen}
    for a in accounts:
        a.enforced = a.pid in chosen_ids
    rows = []
    for a in accounts:
        rows += old_way(a)
        rows += new_way(a)
    order = {"old": 0, "new": 1}
    rows.sort(key=lambda r: (r[0], order[r[1]], r[2], r[3], r[4], r[5]))
    with open(os.path.join(here, "events.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["person_id", "pathway", "date", "code", "quantity", "end_date", "cost", "probability", "demand"])
        w.writerows(rows)
    with open(os.path.join(here, "persons.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            ["person_id", "reason", "insecure_work", "pattern", "household", "old_stage", "new_stage", "new_help"]
        )
        for a in accounts:
            w.writerow(
                [
                    a.pid,
                    a.reason,
                    "true" if a.insecure else "false",
                    a.pattern,
                    a.household,
                    a.old_stage,
                    a.new_stage,
                    "visit" if a.visited else "call",
                ]
            )


if __name__ == "__main__":
    main()
