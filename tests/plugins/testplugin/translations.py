from app.plugin_api import PluginTranslations

translations = PluginTranslations("testplugin")
_ = translations.gettext
_l = translations.lazy_gettext
