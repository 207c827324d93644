/* Output of the reflite command: escaped SQL and JSON (see output.h). */
#include "output.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

void print_sql(FILE *f, const char *s)
{
    char quote = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (quote) {
            if ((char)c == quote) quote = 0;
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = (char)c;
        } else if (c == '[') {
            quote = ']';
        }
        if (quote && (c < 0x20 || c == 0x7f)) {
            if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else
                fprintf(f, "\\x%02x", c);
        } else {
            fputc(c, f);
        }
    }
}

/* Length of the well-formed UTF-8 sequence at s (1-4 bytes, within len), or 0 if none. */
static size_t utf8_length(const unsigned char *s, size_t len)
{
    size_t n;
    unsigned min, cp;
    if (s[0] < 0x80) return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, min = 0x80, cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, min = 0x800, cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n > len) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

/* len bytes of s as a JSON string. */
static void rlc_json_string_n(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    fputc('"', f);
    while (p < end) {
        size_t n = utf8_length(p, (size_t)(end - p));
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
        } else if (n > 1) {
            fwrite(p, 1, n, f);
            p += n;
        } else {
            unsigned char c = *p++;
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

void rlc_json_string(FILE *f, const char *s)
{
    if (s)
        rlc_json_string_n(f, s, strlen(s));
    else
        fputs("null", f);
}

void rlc_json_lines(FILE *f, const char *text)
{
    const char *sep = "";
    fputc('[', f);
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        if (len > 0) {
            fputs(sep, f);
            sep = ",";
            rlc_json_string_n(f, text, len);
        }
        text += len + (nl ? 1 : 0);
    }
    fputc(']', f);
}
