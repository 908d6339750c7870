/* The floor for `pws bench ingest`: libcsv alone over a file, read in 1 MiB blocks, counting
 * records and fields. Same parser options as the Ingest stage (strict), no line splitting, no
 * record buffer, no cleaning.
 *
 *   gcc -O2 -o bare-libcsv bench/bare-libcsv.c -lcsv
 *   ./bare-libcsv [-d DELIM] FILE     prints: bytes records fields seconds
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

int main(int argc, char **argv) {
    unsigned char delim = CSV_COMMA;
    int arg = 1;
    if (argc > 3 && strcmp(argv[1], "-d") == 0) {
        delim = (unsigned char)(strcmp(argv[2], "\\t") == 0 ? '\t' : argv[2][0]);
        arg = 3;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: %s [-d DELIM] FILE\n", argv[0]);
        return 64;
    }
    FILE *file = fopen(argv[arg], "rb");
    if (!file) {
        perror(argv[arg]);
        return 66;
    }
    static char block[1 << 20];
    struct csv_parser parser;
    struct counts counts = {0, 0, 0};
    unsigned long long bytes = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(&parser, delim);
    size_t got;
    while ((got = fread(block, 1, sizeof block, file)) > 0) {
        bytes += got;
        if (csv_parse(&parser, block, got, on_field, on_row, &counts) != got) {
            fprintf(stderr, "%s: %s\n", argv[arg], csv_strerror(csv_error(&parser)));
            return 65;
        }
    }
    csv_fini(&parser, on_field, on_row, &counts);
    csv_free(&parser);
    fclose(file);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%llu %llu %llu %.6f\n", bytes, counts.records, counts.fields, seconds);
    return 0;
}
