"""The plugin's gettext functions, bound to its own translation domain "coevorden".

Strings are in translations/<language>/LC_MESSAGES/coevorden.po; see README.md for extracting,
updating and compiling them.
"""

from app.plugin_api import PluginTranslations

translations = PluginTranslations("coevorden")
_ = translations.gettext
_l = translations.lazy_gettext
ngettext = translations.ngettext
