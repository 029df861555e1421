# syntax=docker/dockerfile:1
# A static composefix binary in a distroless image that runs as a non-root
# user. Build: docker build --build-arg VERSION="$(git describe --tags --always)" -t composefix .
# Run:   docker run --rm -v "$PWD:/work" composefix --check .

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
# urfave_cli_no_docs: see .goreleaser.yaml.
RUN CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/composefix ./cmd/composefix

# distroless/static carries CA certificates (registries are HTTPS) and a
# nonroot user (65532) whose home holds the disk cache.
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/composefix /usr/local/bin/composefix
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/composefix"]
