// The strings django-prose-editor shows in its own dialogs, which it passes to the admin's
// JavaScript catalogue (window.gettext) but does not translate itself. Never loaded: it is
// here so that `make messages` gathers them into djangojs.po; tests/i18n fails when the
// installed editor has a string this file does not list.
gettext("Add caption");
gettext("Alternative Text");
gettext("Browse...");
gettext("Bullets");
gettext("Cancel");
gettext("Caption");
gettext("Columns");
gettext("Decimal numbers");
gettext("Edit Figure");
gettext("Edit HTML");
gettext("Edit Image");
gettext("Edit Link");
gettext("Image URL");
gettext("Include header row");
gettext("Insert Figure");
gettext("Insert Table");
gettext("Insert");
gettext("List properties");
gettext("List type");
gettext("Lowercase Roman numerals");
gettext("Lowercase letters");
gettext("Open in new window");
gettext("Prettify");
gettext("Remove caption");
gettext("Rows");
gettext("Start at");
gettext("Table Properties");
gettext("The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema.");
gettext("Title");
gettext("Toggle fullscreen");
gettext("URL");
gettext("Update");
gettext("Uppercase Roman numerals");
gettext("Uppercase letters");
