from django.contrib import admin

from navigator.models import BankHoliday


@admin.register(BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "division"]
    list_filter = ["division"]
    date_hierarchy = "date"
