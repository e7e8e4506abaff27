"""Bank holidays in England and Wales, 2025 to 2027, as published on GOV.UK
(https://www.gov.uk/bank-holidays, also at https://www.gov.uk/bank-holidays.json).

Migration careplans 0003 loaded these into `BankHoliday` (now `navigator.models.BankHoliday`,
the same table); later years are added in the admin (or by a new data migration) when GOV.UK
publishes them. A substitute day is listed on the day it is taken.
"""

import datetime as dt

ENGLAND_AND_WALES: list[tuple[dt.date, str]] = [
    (dt.date(2025, 1, 1), "New Year’s Day"),
    (dt.date(2025, 4, 18), "Good Friday"),
    (dt.date(2025, 4, 21), "Easter Monday"),
    (dt.date(2025, 5, 5), "Early May bank holiday"),
    (dt.date(2025, 5, 26), "Spring bank holiday"),
    (dt.date(2025, 8, 25), "Summer bank holiday"),
    (dt.date(2025, 12, 25), "Christmas Day"),
    (dt.date(2025, 12, 26), "Boxing Day"),
    (dt.date(2026, 1, 1), "New Year’s Day"),
    (dt.date(2026, 4, 3), "Good Friday"),
    (dt.date(2026, 4, 6), "Easter Monday"),
    (dt.date(2026, 5, 4), "Early May bank holiday"),
    (dt.date(2026, 5, 25), "Spring bank holiday"),
    (dt.date(2026, 8, 31), "Summer bank holiday"),
    (dt.date(2026, 12, 25), "Christmas Day"),
    (dt.date(2026, 12, 28), "Boxing Day (substitute day)"),
    (dt.date(2027, 1, 1), "New Year’s Day"),
    (dt.date(2027, 3, 26), "Good Friday"),
    (dt.date(2027, 3, 29), "Easter Monday"),
    (dt.date(2027, 5, 3), "Early May bank holiday"),
    (dt.date(2027, 5, 31), "Spring bank holiday"),
    (dt.date(2027, 8, 30), "Summer bank holiday"),
    (dt.date(2027, 12, 27), "Christmas Day (substitute day)"),
    (dt.date(2027, 12, 28), "Boxing Day (substitute day)"),
]
