"""Cross-cutting pieces every feature package uses: settings, errors, HTTP helpers, i18n."""
