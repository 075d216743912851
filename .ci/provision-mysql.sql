-- The tutorial's database and account, as part4_mysql/compose.yaml creates them.
CREATE DATABASE IF NOT EXISTS prompt_library
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'tutorial'@'%' IDENTIFIED BY 'tutorial-dev-only';
GRANT ALL PRIVILEGES ON prompt_library.* TO 'tutorial'@'%';
-- The test suite works in throwaway databases named prompt_library_test_*.
GRANT ALL PRIVILEGES ON `prompt\_library\_test\_%`.* TO 'tutorial'@'%';
