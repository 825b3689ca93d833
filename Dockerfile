# syntax=docker/dockerfile:1
# citebot: a static binary on a distroless base (CA certificates, no shell),
# running as a non-root user with its store in the /data volume.
#   docker build -t citebot .
#   docker run --env-file .env -v citebot-data:/data citebot            # the Discord bot
#   docker run --env-file .env -v citebot-data:/data citebot sources    # any other command

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces go-dateparser with the patched copy here (third_party/go-dateparser/CITEBOT.md).
COPY third_party/go-dateparser/go.mod third_party/go-dateparser/
RUN go mod download
COPY . .
# Pure Go (SQLite included): no cgo, no libc. .git is not sent to the
# builder (.dockerignore), so the binary carries no VCS revision.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/citebot ./cmd/citebot \
 && mkdir /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /usr/local/bin/citebot
# The data directory belongs to the image's non-root user (65532), so a
# new named volume mounted on it is writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV CITEBOT_DATA_DIR=/data
VOLUME ["/data"]
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/citebot"]
CMD ["serve"]
