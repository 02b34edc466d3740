# PatchWatch as a container image: `docker build -t patchwatch .`, then
# `docker run --rm patchwatch run --help`. Not exercised by this project's CI (no Docker engine).

# Build: the same Maven build as on a workstation, tests left to CI; the Apicurio distribution that
# `local` runs is not unpacked (mdep.skip): the image runs `run`, `simulate` and the client commands.
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY schemas schemas
COPY src src
RUN mvn -B -q package -Dmaven.test.skip=true -Dmdep.skip=true -Dspotless.check.skip=true

# Run: a Java 17 JRE, an unprivileged user, the shaded jar, no shell in between.
FROM eclipse-temurin:17.0.16_8-jre
RUN groupadd --system patchwatch \
    && useradd --system --gid patchwatch --home-dir /var/lib/patchwatch --no-create-home patchwatch \
    && mkdir -p /var/lib/patchwatch/streams \
    && chown -R patchwatch:patchwatch /var/lib/patchwatch
COPY --from=build /src/target/patchwatch.jar /opt/patchwatch/patchwatch.jar
USER patchwatch
WORKDIR /var/lib/patchwatch
ENV PATCHWATCH_STATE_DIR=/var/lib/patchwatch/streams
VOLUME ["/var/lib/patchwatch"]
ENTRYPOINT ["java", "-jar", "/opt/patchwatch/patchwatch.jar"]
CMD ["run"]
