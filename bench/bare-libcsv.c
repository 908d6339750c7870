/* The floor for `pws bench ingest`: libcsv alone over files, read in 1 MiB blocks, counting
 * records and fields. Same parser options as the Ingest stage (strict), no line splitting, no
 * record buffer, no cleaning, no header mapping.
 *
 *   gcc -O2 -o bare-libcsv bench/bare-libcsv.c -lcsv
 *   ./bare-libcsv [-d DELIM|auto] FILE...     prints totals: bytes records fields seconds
 *
 * With `-d auto` (the default) each file's delimiter is the candidate among , ; TAB | that occurs
 * most often on its first line (ties in that order), as spec §2.1 sniffs it; the sniff reads the
 * first block, which is then parsed, so it costs no extra read. Where libcsv's strict mode
 * refuses a record (a planted E-PARSE row), the rest of that file is parsed in libcsv's default
 * (lenient) mode, so every byte is still parsed (pws re-reads just that record leniently). The
 * time covers opening, reading and parsing every file.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct counts {
    unsigned long long records;
    unsigned long long fields;
    unsigned long long field_bytes;
};

static void on_field(void *data, size_t len, void *context) {
    struct counts *c = context;
    (void)data;
    c->fields++;
    c->field_bytes += len;
}

static void on_row(int terminator, void *context) {
    struct counts *c = context;
    (void)terminator;
    c->records++;
}

static unsigned char sniff(const char *block, size_t len) {
    static const unsigned char candidates[4] = {',', ';', '\t', '|'};
    size_t counts[4] = {0, 0, 0, 0};
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = block[i];
        if (ch == '"') quoted = !quoted;
        if (!quoted && (ch == '\n' || ch == '\r')) break;
        if (quoted) continue;
        for (int k = 0; k < 4; k++)
            if ((unsigned char)ch == candidates[k]) counts[k]++;
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (counts[k] > counts[best]) best = k;
    return candidates[best];
}

int main(int argc, char **argv) {
    int fixed = 0;
    unsigned char delim = CSV_COMMA;
    int arg = 1;
    if (argc > 2 && strcmp(argv[1], "-d") == 0) {
        if (strcmp(argv[2], "auto") != 0) {
            fixed = 1;
            delim = (unsigned char)(strcmp(argv[2], "\\t") == 0 ? '\t' : argv[2][0]);
        }
        arg = 3;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: %s [-d DELIM|auto] FILE...\n", argv[0]);
        return 64;
    }
    static char block[1 << 20];
    struct counts counts = {0, 0, 0};
    unsigned long long bytes = 0;
    int failed = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (; arg < argc; arg++) {
        FILE *file = fopen(argv[arg], "rb");
        if (!file) {
            perror(argv[arg]);
            return 66;
        }
        struct csv_parser parser;
        csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
        size_t got;
        int first = 1, lenient = 0;
        unsigned char file_delim = delim;
        while ((got = fread(block, 1, sizeof block, file)) > 0) {
            bytes += got;
            if (first) {
                file_delim = fixed ? delim : sniff(block, got);
                csv_set_delim(&parser, file_delim);
                first = 0;
            }
            size_t done = csv_parse(&parser, block, got, on_field, on_row, &counts);
            if (done != got && !lenient) {
                /* strict mode refused a record: go on leniently from where it stopped */
                csv_free(&parser);
                csv_init(&parser, 0);
                csv_set_delim(&parser, file_delim);
                lenient = 1;
                failed++;
                done += csv_parse(&parser, block + done, got - done, on_field, on_row, &counts);
            }
            if (done != got) {
                fprintf(stderr, "%s: %s\n", argv[arg], csv_strerror(csv_error(&parser)));
                return 65;
            }
        }
        csv_fini(&parser, on_field, on_row, &counts);
        csv_free(&parser);
        fclose(file);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%llu %llu %llu %.6f\n", bytes, counts.records, counts.fields, seconds);
    if (failed) fprintf(stderr, "bare-libcsv: %d file(s) finished in lenient mode after a strict-mode error\n", failed);
    return 0;
}
