"""The editorial admin's titles; what its ModelAdmins share is in core.admin."""

from django.contrib import admin

admin.site.site_header = "Compendium Portal editorial admin"
admin.site.site_title = "Compendium admin"
admin.site.index_title = "Content"
