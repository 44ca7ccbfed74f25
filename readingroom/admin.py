"""Admin for the project's own bookkeeping: the registrations of self-made accounts.

An editor may confirm an address by hand (a reader who lost the mail) or
approve an account so its public notes publish at once (issue 15).
"""

from django.contrib import admin
from django.utils import timezone

from readingroom.models import Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "created", "email_confirmed", "approved"]
    list_filter = [
        ("email_confirmed", admin.EmptyFieldListFilter),
        ("approved", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "created"]
    actions = ["confirm", "approve"]

    def has_add_permission(self, request):
        return False  # made by the sign-up page

    @admin.action(description="Confirm the selected accounts' addresses", permissions=["change"])
    def confirm(self, request, queryset):
        count = queryset.filter(email_confirmed__isnull=True).update(email_confirmed=timezone.now())
        self.message_user(request, f"Confirmed {count} address{'es' if count != 1 else ''}.")

    @admin.action(
        description="Approve the selected accounts (their public notes publish at once)",
        permissions=["change"],
    )
    def approve(self, request, queryset):
        count = queryset.filter(approved__isnull=True).update(approved=timezone.now())
        self.message_user(request, f"Approved {count} account{'s' if count != 1 else ''}.")
