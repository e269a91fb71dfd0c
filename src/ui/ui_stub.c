/* Keeps the UI library non-empty until the kit lands. */
int unyo_ui_linked;
