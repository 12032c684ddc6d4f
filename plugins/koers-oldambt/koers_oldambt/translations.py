"""The plugin's gettext functions, bound to its own translation domain "oldambt".

Strings are in translations/<language>/LC_MESSAGES/oldambt.po; see README.md for extracting,
updating and compiling them.
"""

from app.plugin_api import PluginTranslations

translations = PluginTranslations("oldambt")
_ = translations.gettext
_l = translations.lazy_gettext
ngettext = translations.ngettext
