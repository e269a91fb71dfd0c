"""Checks an .xlsx written by unyo with a real reader (openpyxl), for the
shell tests: python3 xlsx_check.py KIND FILE [ARGS...]; exit 1 with a message
on the first thing that is wrong."""
import datetime
import sys
import zipfile

import openpyxl


def fail(msg):
    print("xlsx_check: " + msg, file=sys.stderr)
    sys.exit(1)


def width(s):
    """Display cells of s (East Asian wide characters count two)."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def header(ws, row=3):
    return [c.value for c in ws[row]]


def rows(ws, first=4):
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def col(ws, name, row=3):
    h = header(ws, row)
    if name not in h:
        fail(f"sheet {ws.title}: no column {name!r} in {h}")
    return h.index(name)


def charts(path):
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))


def common(wb, path):
    """Every report sheet: frozen header row, A4, page numbers, widths that fit."""
    for ws in wb.worksheets:
        if ws.freeze_panes != "A4":
            fail(f"{path}: sheet {ws.title}: header not frozen ({ws.freeze_panes})")
        if str(ws.page_setup.paperSize) != "9":
            fail(f"{path}: sheet {ws.title}: paper is not A4 ({ws.page_setup.paperSize})")
        if "&P" not in (ws.oddFooter.center.text or ""):
            fail(f"{path}: sheet {ws.title}: no page number in the footer")
        for i, h in enumerate(header(ws)):
            if not isinstance(h, str) or not h:
                continue
            letter = openpyxl.utils.get_column_letter(i + 1)
            w = ws.column_dimensions[letter].width
            if w is None or w < min(width(h), 50):
                fail(f"{path}: sheet {ws.title}: column {h!r} is {w} wide, its heading needs {width(h)}")


def monthly(path, lang):
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    want = {
        "en": ["Summary", "Incidents by category", "Incidents by library", "SLA achievement",
               "Checks", "Job runs", "Changes worked on",
               "Handovers signed", "Per day", "Last 12 months"],
        "ja": ["概要", "分類別インシデント件数", "図書館別インシデント件数", "SLA達成状況",
               "点検", "ジョブ実行", "作業した変更", "署名した引継ぎ", "日別",
               "過去12か月"],
    }[lang]
    for n in want:
        if n not in names:
            fail(f"{path}: no sheet {n!r} in {names}")
    if names[0] != want[0]:
        fail(f"{path}: the first sheet is {names[0]!r}, not the summary")
    common(wb, path)
    summary = wb[want[0]]
    got = {r[0]: r[1] for r in rows(summary)}
    received = got.get("Incidents received" if lang == "en" else "受付したインシデント")
    if not isinstance(received, int) or received <= 0:
        fail(f"{path}: summary: incidents received is {received!r}, not a count")
    # incidents per day: dates are dates, counts are ints, and they add up
    perday = wb[want[8]]
    pr = [r for r in rows(perday) if r[0] is not None]
    if len(pr) != 23:
        fail(f"{path}: per day: {len(pr)} days, not 23 (1st to the 23rd)")
    for r in pr:
        if not isinstance(r[0], datetime.datetime) or not all(isinstance(v, int) for v in r[1:]):
            fail(f"{path}: per day: row {r} is not a date and counts")
    if pr[0][0] != datetime.datetime(2026, 11, 1) or pr[-1][0] != datetime.datetime(2026, 11, 23):
        fail(f"{path}: per day: from {pr[0][0]} to {pr[-1][0]}")
    if sum(r[1] for r in pr) != received:
        fail(f"{path}: per day: {sum(r[1] for r in pr)} incidents, the summary says {received}")
    # SLA: numbers, rates as fractions
    sla = wb[want[3]]
    r = rows(sla)[0]
    if r[0] != "P1" or not isinstance(r[3], int) or not (isinstance(r[7], float) or r[7] == "-"):
        fail(f"{path}: SLA: first row {r}")
    # the month's checks: the NG of the 23rd with its time as a date
    checks = wb[want[4]]
    ng = [x for x in rows(checks) if x[2] == "L032"]
    if not ng:
        fail(f"{path}: checks: no row for L032")
    if ng[-1][0] != datetime.datetime(2026, 11, 23) or not isinstance(ng[-1][8], datetime.datetime):
        fail(f"{path}: checks: L032 row {ng[-1]} has no dates")
    if ng[-1][8].date() != datetime.date(2026, 11, 23):
        fail(f"{path}: checks: L032 checked at {ng[-1][8]}, not on the 23rd (JST)")
    # incidents: received as a date in JST, Japanese titles kept
    inc = wb["Incidents received" if lang == "en" else "受付したインシデント"]
    ir = rows(inc)
    if not ir or not all(isinstance(x[1], datetime.datetime) for x in ir):
        fail(f"{path}: incidents: received is not a date in {ir[:2]}")
    if not any(isinstance(x[6], str) and any(ord(c) > 0x3000 for c in x[6]) for x in ir):
        fail(f"{path}: incidents: no Japanese title")
    trend = wb[want[9]]
    tr = rows(trend)
    if len(tr) != 12 or tr[-1][0] != datetime.datetime(2026, 11, 1) or tr[-1][1] != received:
        fail(f"{path}: last 12 months: {tr[-1] if tr else tr}")
    ch = charts(path)
    if len(ch) < 4:
        fail(f"{path}: {len(ch)} charts, want 4 (per day, SLA, months x2): {ch}")
    # openpyxl reads the charts back too
    for name, n in ((want[3], 1), (want[8], 1), (want[9], 2)):
        if len(wb[name]._charts) != n:
            fail(f"{path}: sheet {name}: {len(wb[name]._charts)} charts, want {n}")
    print(f"ok monthly {lang}: {len(names)} sheets, {received} incidents, {len(ch)} charts")


def daily(path, lang):
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    first = {"en": "Summary", "ja": "概要"}[lang]
    hand = {"en": "Handovers signed", "ja": "署名した引継ぎ"}[lang]
    if names[0] != first or hand not in names:
        fail(f"{path}: sheets {names}")
    common(wb, path)
    h = wb[hand]
    hr = [r for r in rows(h) if r[0] is not None]
    if not hr or not isinstance(hr[0][0], datetime.datetime):
        fail(f"{path}: handovers: signed is not a date: {hr}")
    if not any("午前の引継ぎ" == r[5] for r in hr):
        fail(f"{path}: handovers: no note 午前の引継ぎ in {hr}")
    checks = wb[{"en": "Checks", "ja": "点検"}[lang]]
    ng = [r for r in rows(checks) if r[1] == "L032"]
    if not ng or not isinstance(ng[0][7], datetime.datetime) or "°C" not in (ng[0][4] or ""):
        fail(f"{path}: checks: the NG of L032 with its value and time: {ng}")
    if not charts(path):
        fail(f"{path}: no SLA chart")
    print(f"ok daily {lang}: {len(names)} sheets")


def sla(path):
    wb = openpyxl.load_workbook(path)
    if wb.sheetnames != ["Summary", "SLA achievement"]:
        fail(f"{path}: sheets {wb.sheetnames}")
    common(wb, path)
    r = rows(wb["Summary"])
    if len(r) < 3 or not all(isinstance(x[1], int) for x in r[:3]):
        fail(f"{path}: summary rows {r}")
    if len(wb["SLA achievement"]._charts) != 1:
        fail(f"{path}: no SLA chart")
    print("ok sla")


def export(path, tables, table, column, key, value):
    """A sheet per table (TABLES comma-separated), the header row frozen; the
    cell of COLUMN in TABLE's row whose id is KEY reads back as the text VALUE."""
    wb = openpyxl.load_workbook(path)
    if sorted(wb.sheetnames) != sorted(tables.split(",")):
        fail(f"{path}: sheets {wb.sheetnames}, tables {tables}")
    ws = wb[table]
    if ws.freeze_panes != "A2":
        fail(f"{path}: {table}: header row not frozen ({ws.freeze_panes})")
    it = ws.iter_rows(values_only=True)
    head = list(next(it))
    i, c = head.index("id"), head.index(column)
    for r in it:
        if r[i] == key:
            if r[c] != value or not isinstance(r[c], str):
                fail(f"{path}: {table}.{column} of {key} reads {r[c]!r}, not the text {value!r}")
            print(f"ok export: {table}.{column} = {r[c]!r} ({len(wb.sheetnames)} sheets)")
            return
    fail(f"{path}: {table}: no row {key}")


if __name__ == "__main__":
    kind, args = sys.argv[1], sys.argv[2:]
    {"monthly": monthly, "daily": daily, "sla": sla, "export": export}[kind](*args)
