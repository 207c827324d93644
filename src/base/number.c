/*
 * Numbers as text, exactly: the shortest text of a double that reads back to the same double,
 * and one canonical spelling of a decimal number however an engine wrote it.
 *
 * A double printed with %.17g always reads back to itself but often shows digits nobody
 * stored (0.99 becomes 0.98999999999999999); a decimal column on the other side then keeps
 * those digits, and an equality on 0.99 no longer finds the row.  rli_real_text prints 15,
 * then 16, then 17 significant digits and keeps the first that strtod() turns back into the
 * same bits.
 *
 * rli_number_canon writes a number's value with nothing that depends on who printed it:
 * "5.90", "5.9", "59e-1" and "0.59E1" are all "59e-1"; integers "42e0"; zero "0" (or "-0"
 * for a negative zero, when the sign counts).  A scale rounds the value first, half away from
 * zero, as a NUMERIC(p,s) column does on the way in.  Entry points: rli_real_text,
 * rli_number_canon.
 */
#include "base/base.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t rli_real_text(double v, char out[32])
{
    if (isnan(v)) return (size_t)snprintf(out, 32, "nan");
    if (isinf(v)) return (size_t)snprintf(out, 32, v < 0 ? "-inf" : "inf");
    if (v == 0) return (size_t)snprintf(out, 32, signbit(v) ? "-0" : "0");
    if (fabs(v) < 1e15 && v == (double)(int64_t)v) /* a whole number: its digits */
        return (size_t)snprintf(out, 32, "%lld", (long long)v);
    int n = 0;
    for (int digits = 15; digits <= 17; digits++) {
        n = snprintf(out, 32, "%.*g", digits, v);
        if (strtod(out, NULL) == v) break;
    }
    return (size_t)n;
}

/* The parts of a decimal number: sign, digits (no leading zeros) and exponent, the value
 * being digits x 10^exp.  False for text that is not a plain decimal number. */
typedef struct decimal {
    bool neg;
    char *dig; /* malloc'd */
    size_t len;
    long exp;
} decimal;

static bool parse_decimal(const char *s, decimal *d)
{
    memset(d, 0, sizeof *d);
    const char *p = s;
    if (*p == '+' || *p == '-') d->neg = *p++ == '-';
    size_t n = strspn(p, "0123456789"), frac = 0;
    const char *dot = p[n] == '.' ? p + n : NULL;
    if (dot) frac = strspn(dot + 1, "0123456789");
    if (n + frac == 0) return false;
    if (!(d->dig = malloc(n + frac + 1))) return false;
    memcpy(d->dig, p, n);
    if (frac) memcpy(d->dig + n, dot + 1, frac);
    d->len = n + frac;
    d->dig[d->len] = '\0';
    p = dot ? dot + 1 + frac : p + n;
    long e = 0;
    if (*p == 'e' || *p == 'E') {
        char *end;
        e = strtol(p + 1, &end, 10);
        if (end == p + 1 || e > 1000000 || e < -1000000) e = LONG_MAX; /* refused below */
        p = end;
    }
    if (*p || e == LONG_MAX) {
        free(d->dig);
        d->dig = NULL;
        return false;
    }
    d->exp = e - (long)frac;
    size_t lead = strspn(d->dig, "0");
    memmove(d->dig, d->dig + lead, d->len - lead + 1);
    d->len -= lead;
    return true;
}

/* Round d to scale decimals, half away from zero. */
static bool round_to(decimal *d, int scale)
{
    if (d->exp >= -(long)scale || d->len == 0) return true;
    size_t drop = (size_t)(-(long)scale - d->exp);
    bool up = drop <= d->len && d->dig[d->len - drop] >= '5';
    d->len = drop < d->len ? d->len - drop : 0;
    d->exp = -(long)scale;
    char *grown = realloc(d->dig, d->len + 2);
    if (!grown) return false;
    d->dig = grown;
    d->dig[d->len] = '\0';
    if (!up) return true;
    size_t i = d->len;
    while (i > 0 && d->dig[i - 1] == '9')
        d->dig[--i] = '0';
    if (i > 0) {
        d->dig[i - 1]++;
    } else { /* 999 -> 1000 */
        memmove(d->dig + 1, d->dig, d->len + 1);
        d->dig[0] = '1';
        d->len++;
    }
    return true;
}

bool rli_number_canon(strbuf *b, const char *num, int scale, bool signed_zero)
{
    static const struct {
        const char *in, *out;
    } special[] = {{"nan", "nan"},        {"inf", "inf"},  {"-inf", "-inf"},    {"infinity", "inf"},
                   {"-infinity", "-inf"}, {"+inf", "inf"}, {"+infinity", "inf"}};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcasecmp(num, special[i].in) == 0) {
            rli_sb_puts(b, special[i].out);
            return true;
        }
    decimal d;
    if (!parse_decimal(num, &d)) return false;
    bool ok = scale < 0 || round_to(&d, scale);
    size_t lead = strspn(d.dig, "0");
    if (ok && lead == d.len) { /* zero */
        rli_sb_puts(b, d.neg && signed_zero && scale < 0 ? "-0" : "0");
    } else if (ok) {
        size_t end = d.len;
        while (end > lead && d.dig[end - 1] == '0')
            end--;
        rli_sb_puts(b, d.neg ? "-" : "");
        rli_sb_putn(b, d.dig + lead, end - lead);
        rli_sb_printf(b, "e%ld", d.exp + (long)(d.len - end));
    }
    free(d.dig);
    return ok;
}

const char *rli_int_text(int64_t v, char out[24], size_t *len)
{
    char *p = out + 24;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    *len = (size_t)(out + 24 - p);
    return p;
}
