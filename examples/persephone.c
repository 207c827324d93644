/*
 * persephone: audio files and transcriptions joined by utterances.  An utterance with bogus
 * ids is refused, with a message that names the key and the value, on every connection:
 * reflite turns foreign keys on itself and checks that they stayed on.  The same tables are
 * then served as a JSON API by libreflite-http's generic API, where bogus ids are a 409 whose
 * body names the key and the value.
 *
 * Run: build/example_persephone [database]            the C API, then the API over HTTP on a
 *                                                      free port, exercised with libcurl
 *      build/example_persephone --serve [--port N] [database]   serve until SIGINT/SIGTERM
 */
#include <reflite.h>
#include <reflite/http.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t pk;
    char *filename;
} Audio;

typedef struct {
    int64_t pk;
    char *filename;
} Transcription;

typedef struct {
    int64_t pk;
    int64_t audio_id;
    int64_t transcription_id;
} Utterance;

static const rl_field audio_fields[] = {RL_TEXT(Audio, filename, .unique = true)};
static const rl_model Audio_model = RL_MODEL(Audio, "audio", audio_fields);

static const rl_field transcription_fields[] = {RL_TEXT(Transcription, filename, .unique = true)};
static const rl_model Transcription_model =
    RL_MODEL(Transcription, "transcription", transcription_fields);

static const rl_field utterance_fields[] = {
    RL_FOREIGN_KEY(Utterance, audio_id, &Audio_model, .on_delete = RL_CASCADE),
    RL_FOREIGN_KEY(Utterance, transcription_id, &Transcription_model, .on_delete = RL_CASCADE),
};
static const rl_model Utterance_model = RL_MODEL(Utterance, "utterance", utterance_fields);

/* The C API: one utterance stored, two with bogus ids refused.  0 when it went so. */
static int with_the_c_api(rl_db *db)
{
    const rl_model *models[] = {&Utterance_model};
    if (rl_create_all(db, models, 1) != RL_OK) { /* audio and transcription come along */
        fprintf(stderr, "%s\n", rl_errmsg(db));
        return 1;
    }
    Audio audio = {.filename = "session1.wav"};
    Transcription text = {.filename = "session1.txt"};
    rl_insert(db, &Audio_model, &audio);
    rl_insert(db, &Transcription_model, &text);

    Utterance good = {.audio_id = audio.pk, .transcription_id = text.pk};
    int rc = rl_insert(db, &Utterance_model, &good);
    printf("utterance(audio=%lld, transcription=%lld): %s\n", (long long)good.audio_id,
           (long long)good.transcription_id, rc == RL_OK ? "stored" : rl_errmsg(db));

    Utterance bogus = {.audio_id = 99999, .transcription_id = 99999};
    rc = rl_insert(db, &Utterance_model, &bogus);
    printf("utterance(audio=99999, transcription=99999): %s\n",
           rc == RL_OK ? "stored (this must never happen)" : rl_errmsg(db));
    if (rc == RL_EFOREIGNKEY) {
        const rl_fk_detail *fk = &rl_last_error(db)->fk;
        printf("  key %s.%s -> %s.%s, value %s\n", fk->child_table, fk->child_column,
               fk->parent_table, fk->parent_column, fk->value);
    }

    Utterance half = {.audio_id = audio.pk, .transcription_id = 424242};
    rc = rl_insert(db, &Utterance_model, &half);
    printf("utterance(audio=%lld, transcription=424242): %s\n", (long long)audio.pk,
           rc == RL_OK ? "stored (this must never happen)" : rl_errmsg(db));

    int64_t n = 0;
    rl_query_int(db, "SELECT count(*) FROM utterance", NULL, 0, &n);
    printf("utterances stored: %lld\n", (long long)n);
    return rc == RL_EFOREIGNKEY && n == 1 ? 0 : 1;
}

/* ---- the same tables over HTTP ------------------------------------------------------------ */

static size_t keep(char *d, size_t size, size_t n, void *ctx)
{
    fwrite(d, size, n, (FILE *)ctx);
    return size * n;
}

/* method path [body] against the server: prints the exchange; the status, or 0 on failure or
 * when the answer does not contain must (may be NULL). */
static long request(int port, const char *method, const char *path, const char *json,
                    const char *must)
{
    char url[300], answer[2048] = "";
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    if (!c) return 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    FILE *f = fmemopen(answer, sizeof answer - 1, "w");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (json) curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    CURLcode rc = curl_easy_perform(c);
    fclose(f);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    printf("%s %s%s%s\n-> ", method, path, json ? " " : "", json ? json : "");
    if (rc == CURLE_OK)
        printf("%ld %s\n", status, answer);
    else
        printf("%s\n", curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc == CURLE_OK && (!must || strstr(answer, must)) ? status : 0;
}

/* The API's requests: an utterance stored (201), one with bogus ids refused (409), the
 * utterances read with their audio and transcription embedded, and an audio file posted with
 * its utterances in one transaction.  0 when every status is the one expected. */
static int over_http(int port)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int bad = 0;
    bad +=
        request(port, "POST", "/utterance", "{\"audio_id\":1,\"transcription_id\":1}", NULL) != 201;
    bad += request(port, "POST", "/utterance", "{\"audio_id\":99999,\"transcription_id\":1}",
                   "\"column\":\"audio_id\",\"value\":\"99999\"") != 409;
    bad += request(port, "GET", "/utterance?select=pk,audio(filename),transcription(filename)",
                   NULL, "\"audio\":{\"filename\":\"session1.wav\"}") != 200;
    bad += request(port, "POST", "/audio",
                   "{\"filename\":\"session2.wav\",\"utterance\":[{\"transcription_id\":1}]}",
                   NULL) != 201;
    bad += request(port, "GET", "/audio?select=filename,utterance(pk)", NULL,
                   "{\"filename\":\"session2.wav\",\"utterance\":[{\"pk\":") != 200;
    curl_global_cleanup();
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    bool serve = argc > 1 && strcmp(argv[1], "--serve") == 0;
    int at = serve ? 2 : 1, port = 0;
    if (serve && argc > 3 && strcmp(argv[2], "--port") == 0) {
        port = atoi(argv[3]);
        at = 4;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the server's threads leave them to sigwait */
    rl_db *db;
    char err[512];
    if (rl_open_ex(&db, argc > at ? argv[at] : ":memory:", NULL, err, sizeof err) != RL_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = with_the_c_api(db);
    rl_server *s = NULL;
    rl_server_options o = {.port = port, .quiet = !serve};
    if (rc == 0 && (rl_server_new(&s, db, &o, err, sizeof err) != RL_OK ||
                    rl_server_rest(s, "") != RL_OK || rl_server_start(s) != RL_OK)) {
        fprintf(stderr, "persephone: %s\n", s ? rl_server_errmsg(s) : err);
        rc = 1;
    }
    if (rc == 0 && serve) {
        printf("serving audio, transcription and utterance on http://127.0.0.1:%d/\n",
               rl_server_port(s));
        fflush(stdout);
        int sig;
        sigwait(&stop, &sig);
    } else if (rc == 0) {
        printf("\nThe same tables over HTTP (libreflite-http's generic API):\n");
        rc = over_http(rl_server_port(s));
    }
    rl_server_free(s);
    rl_close(db);
    return rc;
}
