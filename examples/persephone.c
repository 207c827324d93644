/*
 * persephone: audio files and transcriptions joined by utterances.  An utterance with bogus
 * ids is refused, with a message that names the key and the value, on every connection:
 * reflite turns foreign keys on itself and checks that they stayed on.
 *
 * Run: build/example_persephone [database]   (default: an in-memory database)
 */
#include <reflite.h>

#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv)
{
    rl_db *db;
    char err[512];
    if (rl_open_ex(&db, argc > 1 ? argv[1] : ":memory:", NULL, err, sizeof err) != RL_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
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
    rl_close(db);
    return rc == RL_EFOREIGNKEY && n == 1 ? 0 : 1;
}
